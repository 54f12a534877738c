import type { PgColumn } from 'drizzle-orm/pg-core';
import { atmosphereUser, instance, provider } from '../atmosphere-schema.js';

/**
 * Columns of mapped Atmosphere tables that hold secrets (checked against atmosphere-schema.sql): the
 * Django password hash, an instance's web-desktop token and VNC password, and a provider's
 * `cloud_config` (OpenStack admin credentials in production). The runtime role gets no SELECT on
 * them, so no query may select them: name the columns (`db.select({ ... })`), never `db.select()`
 * on these tables. They stay mapped because the embedded demo inserts whole rows.
 * The credential and token tables themselves (`credential`, `provider_credential`, `access_token`,
 * `django_cyverse_auth_token`, `django_cyverse_auth_accesstoken`, `django_cyverse_auth_userproxy`,
 * `ssh_key`) are not mapped at all, so the role gets nothing on them.
 */
export const SECRET_COLUMNS: readonly PgColumn[] = [atmosphereUser.password, instance.token, instance.password, provider.cloudConfig];
