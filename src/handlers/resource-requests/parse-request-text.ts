import type { QuotaValues } from '../../model/quota-values.js';
import { formatAu, formatGigabytes } from '../quantities.js';

/** What a request's free text asks for, as far as it can be read: the form's editable default. */
export interface RequestedResources {
  quota: Partial<QuotaValues>;
  /** AU asked for. */
  allocation?: number;
}

/** Longest text looked at; a request is a sentence or two, and the rest is never a number staff need. */
const MAX_TEXT = 2_000;
const SIZE = String.raw`(\d{1,6})\s?(gb|g|tb|t)\b`;

// Built once: the pending list reads every row's text on each redraw.
const NAMED_MEMORY = new RegExp(String.raw`\b(?:memory|mem|ram)\s*[:=]?\s*${SIZE}`);
const MEMORY_AFTER = new RegExp(String.raw`\b${SIZE}\s*(?:of\s+)?(?:memory|mem|ram)\b`);
const NAMED_STORAGE = new RegExp(String.raw`\b(?:storage|disk|volume storage)\s*[:=]?\s*${SIZE}`);
const ANY_SIZE = new RegExp(String.raw`\b${SIZE}`, 'g');

function gigabytes(amount: string, unit: string): number {
  return Number(amount) * (/^t/i.test(unit) ? 1024 : 1);
}

/**
 * Reads the quantities a user typed in Troposphere's request box: "Allocation: 1000 AU",
 * "cpu: 48, memory: 192 GB, instances: 6", "2 TB". A size with no name next to it is storage (memory
 * is always named); a number that cannot be placed is left out, never guessed.
 */
export function parseRequestText(text: string): RequestedResources {
  const key = text.slice(0, MAX_TEXT);
  let read = lately.get(key);
  if (!read) {
    read = readText(key);
    if (lately.size >= LATELY_MAX) lately.delete(lately.keys().next().value!);
    lately.set(key, read);
  }
  // A copy: callers may change what they get.
  return { quota: { ...read.quota }, ...(read.allocation !== undefined ? { allocation: read.allocation } : {}) };
}

/**
 * Texts read lately and what they were read as, oldest first. The pending list reads the same
 * fifteen texts on every redraw (each decision redraws it); a request's text never changes.
 */
const lately = new Map<string, RequestedResources>();
const LATELY_MAX = 1_000;

function readText(text: string): RequestedResources {
  const t = text.toLowerCase();
  const quota: Partial<QuotaValues> = {};
  const count = (pattern: RegExp) => {
    const match = pattern.exec(t);
    return match ? Number(match[1]) : undefined;
  };
  const set = (key: keyof QuotaValues, value: number | undefined) => {
    if (value !== undefined && value >= 1 && value <= 100_000) quota[key] = value;
  };
  set('cpu', count(/\b(?:cpus?|vcpus?|cores?)\s*[:=]?\s*(\d{1,6})\b/) ?? count(/\b(\d{1,6})\s*(?:cpus?|vcpus?|cores?)\b/));
  set('instance_count', count(/\binstances?\s*[:=]?\s*(\d{1,6})\b/) ?? count(/\b(\d{1,6})\s*instances?\b/));
  set('storage_count', count(/\b(?:volumes?|storage_count)\s*[:=]?\s*(\d{1,6})\b/) ?? count(/\b(\d{1,6})\s*volumes?\b/));
  const memory = NAMED_MEMORY.exec(t) ?? MEMORY_AFTER.exec(t);
  if (memory) set('memory', gigabytes(memory[1]!, memory[2]!));
  const storage = NAMED_STORAGE.exec(t);
  if (storage) set('storage', gigabytes(storage[1]!, storage[2]!));
  else {
    // An unnamed size ("2 TB") outside the memory one.
    const span = memory ? [memory.index, memory.index + memory[0].length] : null;
    const other = [...t.matchAll(ANY_SIZE)].find((match) => !span || match.index < span[0]! || match.index >= span[1]!);
    if (other) set('storage', gigabytes(other[1]!, other[2]!));
  }
  const au = /\b(\d{1,3}(?:,\d{3})+|\d{1,8})\s*(?:au|su)s?\b/.exec(t) ?? /\ballocation\s*(?:of\s*)?[:=]?\s*(\d{1,3}(?:,\d{3})+|\d{1,8})\b/.exec(t);
  const allocation = au ? Number(au[1]!.replace(/,/g, '')) : undefined;
  return { quota, ...(allocation !== undefined ? { allocation } : {}) };
}

/** The quota as the form's field takes it, e.g. "cpu=48 memory=192GB". */
export function quotaSpecText(quota: Partial<QuotaValues>): string {
  const names: Record<keyof QuotaValues, string> = {
    cpu: 'cpu',
    memory: 'memory',
    storage: 'storage',
    instance_count: 'instances',
    snapshot_count: 'snapshots',
    storage_count: 'volumes',
    floating_ip_count: 'floating_ips',
    port_count: 'ports',
  };
  return (Object.keys(names) as (keyof QuotaValues)[])
    .filter((key) => quota[key] !== undefined)
    .map((key) => `${names[key]}=${quota[key]}${key === 'memory' || key === 'storage' ? 'GB' : ''}`)
    .join(' ');
}

/** "allocation 1,000 AU · cpu 48 · memory 192 GB": what the text was read as; empty when nothing was. */
export function describeAsk(text: string): string {
  const asked = parseRequestText(text);
  return [...(asked.allocation !== undefined ? [`allocation ${formatAu(asked.allocation)}`] : []), ...(describeQuotaAsk(asked.quota) ? [describeQuotaAsk(asked.quota)] : [])].join(' · ');
}

/**
 * The pending list's line: the quota part and the allocation part side by side, each said even when
 * absent ("quota cpu 48 · memory 192 GB | allocation none named"); empty when nothing was read.
 */
export function describeAskSideBySide(text: string): string {
  const asked = parseRequestText(text);
  const quota = describeQuotaAsk(asked.quota);
  if (!quota && asked.allocation === undefined) return '';
  return `quota ${quota || 'none named'} | allocation ${asked.allocation !== undefined ? formatAu(asked.allocation) : 'none named'}`;
}

/** "cpu 48 · memory 192 GB · storage 2 TB": the quota values a text asks for. */
function describeQuotaAsk(q: Partial<QuotaValues>): string {
  const parts: string[] = [];
  if (q.cpu !== undefined) parts.push(`cpu ${q.cpu}`);
  if (q.memory !== undefined && q.memory !== null) parts.push(`memory ${formatGigabytes(q.memory)}`);
  if (q.storage !== undefined && q.storage !== null) parts.push(`storage ${formatGigabytes(q.storage)}`);
  if (q.instance_count !== undefined) parts.push(`instances ${q.instance_count}`);
  if (q.storage_count !== undefined) parts.push(`volumes ${q.storage_count}`);
  return parts.join(' · ');
}
