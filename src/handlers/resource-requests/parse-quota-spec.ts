import { QUOTA_KEYS, type QuotaValues } from '../../integrations/atmosphere/gateway.js';

/** Words staff may use for each quota column (the Troposphere and Django admin labels included). */
const ALIASES: Record<string, keyof QuotaValues> = {
  cpu: 'cpu',
  cpus: 'cpu',
  memory: 'memory',
  mem: 'memory',
  ram: 'memory',
  storage: 'storage',
  disk: 'storage',
  instance_count: 'instance_count',
  instances: 'instance_count',
  snapshot_count: 'snapshot_count',
  snapshots: 'snapshot_count',
  storage_count: 'storage_count',
  volumes: 'storage_count',
  floating_ip_count: 'floating_ip_count',
  floating_ips: 'floating_ip_count',
  port_count: 'port_count',
  ports: 'port_count',
};

/** Far above any real allocation; catches typos such as an extra zero pasted twice. */
const MAX_VALUE = 100_000;

export const QUOTA_SPEC_HELP =
  'Write the quota as key=value pairs, e.g. "cpu=32 memory=128 storage=500 volumes=10". Keys: cpu, memory (GB), storage (GB), volumes, instances, snapshots, floating_ips, ports. Keys you leave out keep their current value.';

/**
 * Parses "cpu=32 mem=128 storage=500" into the quota columns it names. Separators may be spaces or
 * commas, and `:` works like `=`. Every problem is reported at once, with how to write it right.
 */
export function parseQuotaSpec(text: string): { ok: true; values: Partial<QuotaValues> } | { ok: false; error: string } {
  const values: Partial<QuotaValues> = {};
  const problems: string[] = [];
  // "cpu = 32" and "cpu: 32" are one pair: drop the spaces around the sign before splitting.
  const parts = text.replace(/\s*([=:])\s*/g, '$1').split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return { ok: false, error: `The quota is empty. ${QUOTA_SPEC_HELP}` };
  for (const part of parts) {
    const match = /^([a-z_]+)\s*[=:]\s*(.*)$/i.exec(part);
    if (!match) {
      problems.push(`"${part}" is not key=value`);
      continue;
    }
    const key = ALIASES[match[1]!.toLowerCase()];
    if (!key) {
      problems.push(`"${match[1]}" is not a quota key`);
      continue;
    }
    const raw = match[2]!.replace(/gb$/i, '');
    if (!/^\d+$/.test(raw) || Number(raw) > MAX_VALUE) {
      problems.push(`${match[1]} must be a whole number from 0 to ${MAX_VALUE}, not "${match[2]}"`);
      continue;
    }
    if (key in values) {
      problems.push(`${key} is given twice`);
      continue;
    }
    values[key] = Number(raw);
  }
  if (problems.length > 0) return { ok: false, error: `${problems.join('; ')}. ${QUOTA_SPEC_HELP}` };
  return { ok: true, values };
}

/** The full row to ask for: the current quota with the named columns replaced. */
export function mergeQuota(current: QuotaValues, changes: Partial<QuotaValues>): QuotaValues {
  const merged = { ...current };
  for (const key of QUOTA_KEYS) {
    if (changes[key] !== undefined) merged[key] = changes[key];
  }
  return merged;
}

/** "cpu 16 · memory 128 GB · storage 10 GB · volumes 10 · instances 10". */
export function formatQuota(values: QuotaValues): string {
  const show = (value: number | null, unit = '') => (value === null ? 'default' : `${value}${unit}`);
  return [
    `cpu ${show(values.cpu)}`,
    `memory ${show(values.memory, ' GB')}`,
    `storage ${show(values.storage, ' GB')}`,
    `volumes ${show(values.storage_count)}`,
    `instances ${show(values.instance_count)}`,
    `snapshots ${show(values.snapshot_count)}`,
    `floating IPs ${show(values.floating_ip_count)}`,
    `ports ${show(values.port_count)}`,
  ].join(' · ');
}
