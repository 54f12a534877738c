import { and, asc, eq, exists, inArray, isNull } from 'drizzle-orm';
import type { Database } from '../client.js';
import { atmosphereUser, identity, identityMembership, instance, instanceSource, instanceStatus, instanceStatusHistory, quota } from '../atmosphere-schema.js';
import type { QuotaValues } from '../../model/quota-values.js';
import { pickQuotaValues, quotaValueColumns } from './quota-columns.js';

/** An instance Atmosphere shows as current on a provider, with its open status row. */
export interface CurrentInstance {
  id: number;
  /** `provider_alias`, the Nova server id. */
  uuid: string;
  name: string;
  owner: string;
  /** The open `instance_status_history` row's status, or null when the instance has none. */
  status: string | null;
  activity: string | null;
}

/**
 * The instances of a provider Atmosphere has not ended (`instance.end_date IS NULL`) and whose open
 * history row is not `deleted`, as the instance views decide. `instance` has no index on its end date
 * or source; it is far smaller than its history and this runs once a week or on a staff command, so
 * the scan is accepted. The history rows come through their instance-id index.
 */
export async function listCurrentInstances(db: Database, providerId: number): Promise<CurrentInstance[]> {
  const rows = await db
    .select({
      id: instance.id,
      uuid: instance.providerAlias,
      name: instance.name,
      owner: atmosphereUser.username,
      historyId: instanceStatusHistory.id,
      startDate: instanceStatusHistory.startDate,
      status: instanceStatus.name,
      activity: instanceStatusHistory.activity,
    })
    .from(instance)
    .innerJoin(instanceSource, eq(instanceSource.id, instance.sourceId))
    .innerJoin(atmosphereUser, eq(atmosphereUser.id, instance.createdById))
    .leftJoin(instanceStatusHistory, and(eq(instanceStatusHistory.instanceId, instance.id), isNull(instanceStatusHistory.endDate)))
    .leftJoin(instanceStatus, eq(instanceStatus.id, instanceStatusHistory.statusId))
    .where(and(eq(instanceSource.providerId, providerId), isNull(instance.endDate)))
    .orderBy(asc(instance.id));
  // Should an instance have several open rows, the newest (by start, then id) is its status.
  const newest = new Map<number, (typeof rows)[number]>();
  for (const row of rows) {
    const seen = newest.get(row.id);
    const later = !seen || (row.startDate && (!seen.startDate || row.startDate > seen.startDate || (row.startDate.getTime() === seen.startDate.getTime() && (row.historyId ?? 0) > (seen.historyId ?? 0))));
    if (later) newest.set(row.id, row);
  }
  return [...newest.values()]
    .filter((row) => row.status?.toLowerCase() !== 'deleted')
    .map((row) => ({ id: row.id, uuid: row.uuid, name: row.name, owner: row.owner, status: row.status, activity: row.activity }));
}

/** What Atmosphere's `instance` table holds for a Nova server id, on any provider. */
export interface KnownServer {
  id: number;
  providerId: number;
  endDate: Date | null;
}

const ALIAS_BATCH = 1000;

/** The instances with these `provider_alias` values, through the column's unique index, in batches. */
export async function findInstancesByAlias(db: Database, aliases: readonly string[]): Promise<Map<string, KnownServer>> {
  const known = new Map<string, KnownServer>();
  for (let start = 0; start < aliases.length; start += ALIAS_BATCH) {
    const batch = aliases.slice(start, start + ALIAS_BATCH);
    const rows = await db
      .select({ alias: instance.providerAlias, id: instance.id, providerId: instanceSource.providerId, endDate: instance.endDate })
      .from(instance)
      .innerJoin(instanceSource, eq(instanceSource.id, instance.sourceId))
      .where(inArray(instance.providerAlias, batch));
    for (const row of rows) known.set(row.alias, { id: row.id, providerId: row.providerId, endDate: row.endDate });
  }
  return known;
}

/** An identity on a provider with the quota row it points at. */
export interface IdentityQuota {
  identityId: number;
  identityUuid: string;
  /** The user who owns the identity (`identity.created_by_id`). */
  username: string;
  quotaId: number;
  quota: QuotaValues;
}

/**
 * The identities of a provider that are still in use: an active owner and a membership that has not
 * ended (what Atmosphere's launch form offers). The `credential` table is not read: it holds users'
 * secrets, and the bot's role has no privilege on it.
 */
export async function listIdentityQuotas(db: Database, providerId: number): Promise<IdentityQuota[]> {
  const rows = await db
    .select({ identityId: identity.id, identityUuid: identity.uuid, username: atmosphereUser.username, quotaId: quota.id, ...quotaValueColumns })
    .from(identity)
    .innerJoin(atmosphereUser, eq(atmosphereUser.id, identity.createdById))
    .innerJoin(quota, eq(quota.id, identity.quotaId))
    .where(
      and(
        eq(identity.providerId, providerId),
        eq(atmosphereUser.isActive, true),
        exists(db.select({ one: identityMembership.id }).from(identityMembership).where(and(eq(identityMembership.identityId, identity.id), isNull(identityMembership.endDate)))),
      ),
    )
    .orderBy(asc(identity.id));
  return rows.map((row) => ({ identityId: row.identityId, identityUuid: row.identityUuid, username: row.username, quotaId: row.quotaId, quota: pickQuotaValues(row) }));
}
