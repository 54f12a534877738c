import { quota } from '../atmosphere-schema.js';
import type { QuotaValues } from '../../model/quota-values.js';

/** The `quota` columns by the API's names for them (`instance_count`, not `instanceCount`). */
export const quotaValueColumns = {
  cpu: quota.cpu,
  memory: quota.memory,
  storage: quota.storage,
  instance_count: quota.instanceCount,
  snapshot_count: quota.snapshotCount,
  storage_count: quota.storageCount,
  floating_ip_count: quota.floatingIpCount,
  port_count: quota.portCount,
} as const satisfies Record<keyof QuotaValues, unknown>;

/** Picks the quota values out of a row selected with `quotaValueColumns` spread into it. */
export function pickQuotaValues(row: QuotaValues): QuotaValues {
  const { cpu, memory, storage, instance_count, snapshot_count, storage_count, floating_ip_count, port_count } = row;
  return { cpu, memory, storage, instance_count, snapshot_count, storage_count, floating_ip_count, port_count };
}
