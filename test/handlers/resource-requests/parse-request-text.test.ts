import { describe, expect, it } from 'vitest';
import { describeAsk, describeAskSideBySide, parseRequestText, quotaSpecText } from '../../../src/handlers/resource-requests/parse-request-text.js';
import { parseAllocationSpec } from '../../../src/handlers/resource-requests/parse-allocation.js';
import { parseQuotaSpec } from '../../../src/handlers/resource-requests/parse-quota-spec.js';

describe('parseRequestText', () => {
  it.each([
    ['Allocation: 1000 AU', {}, 1000],
    ['cpu: 48, memory: 192 GB, instances: 6', { cpu: 48, memory: 192, instance_count: 6 }, undefined],
    ['Could I get 2 TB of volume space?', { storage: 2048 }, undefined],
    ['cpu: 128, memory: 1 TB', { cpu: 128, memory: 1024 }, undefined],
    ['16 cores and 64GB RAM, plus 500 GB storage and 5,000 SUs', { cpu: 16, memory: 64, storage: 500 }, 5000],
    ['memory: 128 GB and 2 TB', { memory: 128, storage: 2048 }, undefined],
    ['More resources please, my thesis is due', {}, undefined],
    // Atmosphere's own column name, as users copy it from the quota page.
    ['storage: 2 TB, storage_count: 4', { storage: 2048, storage_count: 4 }, undefined],
  ])('reads %j', (text, quota, allocation) => {
    expect(parseRequestText(text)).toEqual({ quota, ...(allocation !== undefined ? { allocation } : {}) });
  });

  it('writes the quota as the form takes it, and the form reads it back the same', () => {
    const { quota } = parseRequestText('cpu: 48, memory: 192 GB, 2 TB, volumes: 4');
    const text = quotaSpecText(quota);
    expect(text).toBe('cpu=48 memory=192GB storage=2048GB volumes=4');
    expect(parseQuotaSpec(text)).toEqual({ ok: true, values: quota });
  });

  it('reads a text again the same, whatever a caller did to what it got the first time', () => {
    const text = 'cpu: 24, memory: 96 GB and 300 AU for the course';
    const first = parseRequestText(text);
    first.quota.cpu = 1;
    delete first.quota.memory;
    first.allocation = 5;
    expect(parseRequestText(text)).toEqual({ quota: { cpu: 24, memory: 96 }, allocation: 300 });
  });
});

describe('what a request asks, in words', () => {
  it.each([
    ['Allocation: 1000 AU', 'quota none named | allocation 1,000 AU', 'allocation 1,000 AU'],
    ['cpu: 48, memory: 192 GB, instances: 6', 'quota cpu 48 · memory 192 GB · instances 6 | allocation none named', 'cpu 48 · memory 192 GB · instances 6'],
    ['16 cores, 2 TB and 12,000 AU', 'quota cpu 16 · storage 2 TB | allocation 12,000 AU', 'allocation 12,000 AU · cpu 16 · storage 2 TB'],
    ['More resources please', '', ''],
  ])('says %j side by side for the list and in one line for the view', (text, list, view) => {
    expect(describeAskSideBySide(text)).toBe(list);
    expect(describeAsk(text)).toBe(view);
  });
});

describe('parseAllocationSpec', () => {
  it.each([
    ['1000', { amount: 1000 }],
    ['1,000 AU', { amount: 1000 }],
    ['1000 AU on TG-BIO210056', { amount: 1000, source: 'TG-BIO210056' }],
    ['TG-BIO210056: 5000', { amount: 5000, source: 'TG-BIO210056' }],
    ['0', { amount: 0 }],
  ])('reads %j', (text, value) => {
    expect(parseAllocationSpec(text)).toEqual({ ok: true, value });
  });

  it.each(['lots', '-5', '1000 GB', '1.5 AU', '99999999'])('refuses %j with the accepted forms', (text) => {
    const result = parseAllocationSpec(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('1000 AU on TG-BIO210056');
  });
});
