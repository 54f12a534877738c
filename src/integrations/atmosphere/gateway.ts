/**
 * Writes to Atmosphere that have side effects (e-mails, OpenStack quotas, the imaging chain).
 * Production uses the REST API; embedded mode applies the same state changes to its own database.
 * With a real database but no API configured, `createReadOnlyGateway` refuses every write.
 */

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

export type ResourceRequestStatus = 'approved' | 'denied' | 'closed';
export type MachineRequestStatus = 'approved' | 'denied' | 'pending' | 'closed';

export interface AtmosphereGateway {
  readonly kind: 'rest' | 'embedded' | 'read-only';
  /** Finds the quota row with exactly these values or creates one; quota rows are never edited. */
  findOrCreateQuota(values: QuotaValues): Promise<{ id: number; created: boolean }>;
  /** Points an identity at a quota; in production this also sets the OpenStack quota. */
  assignQuota(input: { identityUuid: string; username: string; quotaId: number }): Promise<void>;
  /** Staff decision on a resource request; Atmosphere e-mails the user with `adminMessage`. */
  setResourceRequestStatus(input: { id: number; status: ResourceRequestStatus; adminMessage: string }): Promise<void>;
  /** Staff decision on an imaging request; `approved` starts the imaging chain, `pending` re-submits. */
  setMachineRequestStatus(input: { id: number; status: MachineRequestStatus }): Promise<void>;
}
