import { UserError } from '../../errors.js';
import { ATMOSPHERE_QUOTA_DEFAULTS, QUOTA_KEYS, type CompleteQuota, type QuotaValues } from '../../model/quota-values.js';

/** How each column is named to staff, and its unit. */
const LABELS: Record<keyof QuotaValues, { label: string; unit: string }> = {
  cpu: { label: 'cpu', unit: '' },
  memory: { label: 'memory', unit: ' GB' },
  storage: { label: 'storage', unit: ' GB' },
  instance_count: { label: 'instances', unit: '' },
  snapshot_count: { label: 'snapshots', unit: '' },
  storage_count: { label: 'volumes', unit: '' },
  floating_ip_count: { label: 'floating IPs', unit: '' },
  port_count: { label: 'ports', unit: '' },
};

/** One value of an approval as it is now and as it will be. `from` null: the column is empty now. */
export interface ValueChange {
  label: string;
  unit: string;
  from: number | null;
  to: number;
}

export interface QuotaPlan {
  values: CompleteQuota;
  changes: ValueChange[];
}

/**
 * The full row to ask for: the current quota with the named columns replaced. An empty (NULL) column
 * is sent as Atmosphere's own default, because the API refuses `null`; a current value below 1 (an old
 * row the serializer would now refuse) must be given anew, so nothing is sent that can only fail.
 */
export function planQuota(current: QuotaValues, given: Partial<QuotaValues>, who: string): QuotaPlan {
  const values = { ...ATMOSPHERE_QUOTA_DEFAULTS };
  const changes: ValueChange[] = [];
  const invalid: string[] = [];
  for (const key of QUOTA_KEYS) {
    const now = current[key];
    const to = given[key] ?? (now === null ? ATMOSPHERE_QUOTA_DEFAULTS[key] : now);
    if (to < 1) invalid.push(`${LABELS[key].label} is ${to}`);
    values[key] = to;
    changes.push({ ...LABELS[key], from: now, to });
  }
  if (invalid.length > 0) {
    throw new UserError(
      'usage',
      `${who}'s current quota has ${invalid.join(' and ')}, which Atmosphere no longer accepts (every value must be at least 1). Give ${invalid.length === 1 ? 'it' : 'them'} in the quota too.`,
    );
  }
  return { values, changes };
}

/** The values that go down: these need an explicit confirmation. */
export function decreasesOf(changes: readonly ValueChange[]): ValueChange[] {
  return changes.filter((change) => change.from !== null && change.to < change.from);
}

/** "memory 128 → 256 GB", "cpu 16 (unchanged)", "volumes not set → 10 (Atmosphere's default)", "instances 10 → 6 (DOWN)". */
export function describeChange(change: ValueChange): string {
  const { label, unit, from, to } = change;
  if (from === null) return `${label} not set → ${to}${unit} (Atmosphere's default)`;
  if (from === to) return `${label} ${to}${unit} (unchanged)`;
  return `${label} ${from} → ${to}${unit}${to < from ? ' (DOWN)' : ''}`;
}

/** Every value, current → new, one line each. */
export function describeChanges(changes: readonly ValueChange[]): string {
  return changes.map(describeChange).join('\n');
}
