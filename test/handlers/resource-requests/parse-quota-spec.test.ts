import { describe, expect, it } from 'vitest';
import { formatQuota, parseQuotaSpec } from '../../../src/handlers/resource-requests/parse-quota-spec.js';
import { decreasesOf, describeChanges, planQuota } from '../../../src/handlers/resource-requests/plan-quota.js';
import { UserError } from '../../../src/errors.js';

const current = { cpu: 16, memory: 128, storage: 10, instance_count: 10, snapshot_count: 10, storage_count: 10, floating_ip_count: 10, port_count: 10 };

describe('parseQuotaSpec', () => {
  it('reads key=value pairs with aliases, commas and GB suffixes', () => {
    expect(parseQuotaSpec('cpu=32, mem:128GB storage=500 volumes=4')).toEqual({
      ok: true,
      values: { cpu: 32, memory: 128, storage: 500, storage_count: 4 },
    });
  });

  it('accepts spaces around the equals sign', () => {
    expect(parseQuotaSpec('cpu = 32 memory: 64')).toEqual({ ok: true, values: { cpu: 32, memory: 64 } });
  });

  it('reports every problem at once with how to write it', () => {
    const result = parseQuotaSpec('cpu=lots gpus=2 memory');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain('cpu must be a whole number');
    expect(result.error).toContain('"gpus" is not a quota key');
    expect(result.error).toContain('"memory" is not key=value');
    expect(result.error).toContain('e.g. "cpu=32 memory=128');
  });

  it('reads memory and storage with units: 128GB, "128 GB", 2TB', () => {
    expect(parseQuotaSpec('memory=128GB')).toEqual({ ok: true, values: { memory: 128 } });
    expect(parseQuotaSpec('memory: 128 GB')).toEqual({ ok: true, values: { memory: 128 } });
    expect(parseQuotaSpec('storage=2TB')).toEqual({ ok: true, values: { storage: 2048 } });
    expect(parseQuotaSpec('cpu: 48, memory: 192 GB, storage: 2 TB')).toEqual({ ok: true, values: { cpu: 48, memory: 192, storage: 2048 } });
  });

  it('refuses zero, a unit on a count, an unknown unit, and says which forms it accepts', () => {
    for (const text of ['cpu=0', 'volumes=0', 'cpu=4GB', 'memory=128MB', 'memory=1.5TB', 'storage=2 PB']) {
      const result = parseQuotaSpec(text);
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.error).toContain('memory=128GB storage=2TB');
    }
    const zero = parseQuotaSpec('cpu=0');
    expect(!zero.ok && zero.error).toContain('cpu must be a whole number from 1 to 100000, not "0"');
    const size = parseQuotaSpec('memory=128MB');
    expect(!size.ok && size.error).toContain('such as 128, 128GB or 2TB');
  });

  it('refuses a key given twice, negative numbers and absurd sizes', () => {
    expect(parseQuotaSpec('cpu=2 cpus=4').ok).toBe(false);
    expect(parseQuotaSpec('cpu=-1').ok).toBe(false);
    expect(parseQuotaSpec('storage=1000000').ok).toBe(false);
    expect(parseQuotaSpec('   ').ok).toBe(false);
  });
});

describe('planQuota', () => {
  it('changes only the named columns and never the original row', () => {
    const plan = planQuota(current, { cpu: 32, storage_count: 4 }, 'jsmith');
    expect(plan.values).toEqual({ ...current, cpu: 32, storage_count: 4 });
    expect(current.cpu).toBe(16);
    expect(describeChanges(plan.changes)).toContain('cpu 16 → 32');
    expect(describeChanges(plan.changes)).toContain('volumes 10 → 4 (DOWN)');
    expect(describeChanges(plan.changes)).toContain('memory 128 GB (unchanged)');
    expect(decreasesOf(plan.changes).map((change) => change.label)).toEqual(['volumes']);
  });

  it('never sends a null: an empty column becomes Atmosphere\'s default, and says so', () => {
    const plan = planQuota({ ...current, memory: null, port_count: null }, { cpu: 32 }, 'jsmith');
    expect(Object.values(plan.values).every((value) => typeof value === 'number' && value >= 1)).toBe(true);
    expect(plan.values.memory).toBe(128);
    expect(describeChanges(plan.changes)).toContain("memory not set → 128 GB (Atmosphere's default)");
    expect(decreasesOf(plan.changes)).toEqual([]);
  });

  it('refuses to resend a current value below 1 that was not given anew', () => {
    expect(() => planQuota({ ...current, storage_count: 0 }, { cpu: 32 }, 'jsmith')).toThrow(UserError);
    expect(() => planQuota({ ...current, storage_count: 0 }, { cpu: 32 }, 'jsmith')).toThrow(/volumes is 0.*at least 1/);
    expect(planQuota({ ...current, storage_count: 0 }, { storage_count: 2 }, 'jsmith').values.storage_count).toBe(2);
  });
});

describe('formatQuota', () => {
  it('names units and shows empty columns as the default', () => {
    expect(formatQuota({ ...current, memory: null })).toContain('memory default');
    expect(formatQuota(current)).toContain('storage 10 GB');
  });
});
