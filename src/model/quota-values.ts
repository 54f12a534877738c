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
