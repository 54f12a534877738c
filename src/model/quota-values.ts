/** The quota columns staff set, shared by the database mapping, the gateway and the handlers. */

/** The columns of a `quota` row that staff set. `null` keeps a column empty as Atmosphere allows. */
export interface QuotaValues {
  cpu: number | null;
  memory: number | null;
  storage: number | null;
  instance_count: number | null;
  snapshot_count: number | null;
  storage_count: number | null;
  floating_ip_count: number | null;
  port_count: number | null;
}

export const QUOTA_KEYS = [
  'cpu',
  'memory',
  'storage',
  'instance_count',
  'snapshot_count',
  'storage_count',
  'floating_ip_count',
  'port_count',
] as const satisfies readonly (keyof QuotaValues)[];

/** A quota as the API must receive it: every column a number, since its serializer refuses `null`. */
export type CompleteQuota = { [K in keyof QuotaValues]: number };

/**
 * What Atmosphere puts in a column it is not given (the fallbacks of `core/models/quota.py`, used
 * when `settings.DEFAULT_QUOTA` lacks the key). A NULL column of the current quota is sent as this.
 */
export const ATMOSPHERE_QUOTA_DEFAULTS: CompleteQuota = {
  cpu: 16,
  memory: 128,
  storage: 10,
  instance_count: 10,
  snapshot_count: 10,
  storage_count: 10,
  floating_ip_count: 10,
  port_count: 10,
};
