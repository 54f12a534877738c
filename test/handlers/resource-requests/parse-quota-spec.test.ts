import { describe, expect, it } from 'vitest';
import { formatQuota, mergeQuota, parseQuotaSpec } from '../../../src/handlers/resource-requests/parse-quota-spec.js';

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

  it('refuses a key given twice, negative numbers and absurd sizes', () => {
    expect(parseQuotaSpec('cpu=2 cpus=4').ok).toBe(false);
    expect(parseQuotaSpec('cpu=-1').ok).toBe(false);
    expect(parseQuotaSpec('storage=1000000').ok).toBe(false);
    expect(parseQuotaSpec('   ').ok).toBe(false);
  });
});

describe('mergeQuota', () => {
  it('changes only the named columns and never the original row', () => {
    const merged = mergeQuota(current, { cpu: 32, storage_count: 4 });
    expect(merged).toEqual({ ...current, cpu: 32, storage_count: 4 });
    expect(current.cpu).toBe(16);
  });
});

describe('formatQuota', () => {
  it('names units and shows empty columns as the default', () => {
    expect(formatQuota({ ...current, memory: null })).toContain('memory default');
    expect(formatQuota(current)).toContain('storage 10 GB');
  });
});
