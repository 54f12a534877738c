import { randomUUID } from 'node:crypto';

// Django applies its model defaults in Python and puts none in the database, so the mapped tables
// repeat them with `$defaultFn`; these are the ones several tables share.

/** Every Atmosphere timestamp is `timestamp with time zone`. */
export const tz = { withTimezone: true } as const;

/** Django's `default=uuid.uuid4`. */
export const uuid4 = () => randomUUID();

/** Django's `default=timezone.now`. */
export const now = () => new Date();
