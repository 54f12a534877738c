import type { Field } from '../../bot/chat/reply.js';
import type { AllocationSourceView } from '../../db/queries/allocation-sources.js';
import type { RequesterContext, ProviderUsage } from '../../db/queries/requester-context.js';
import type { IdentityQuota } from '../../db/queries/identity-quotas.js';
import { clipText } from '../clip-text.js';
import { formatAge, formatAgo, formatDuration, formatTimestamp } from '../format-time.js';
import { formatAu, formatGigabytes, formatMegabytes, formatNumber } from '../quantities.js';
import { formatQuota } from './parse-quota-spec.js';

const HOUR = 3_600_000;

/**
 * Most providers one field each; beyond this the rest are summed up in one line, so a message keeps
 * within Discord's 25 embed fields and 6000 characters and Slack's 50 blocks.
 */
const PROVIDER_FIELDS = 4;
/** Discord's embed field holds 1024 characters; each field here stays under it. */
const FIELD_LIMIT = 1000;

function usageLine(usage: ProviderUsage | undefined): string {
  if (!usage || (usage.instances === 0 && usage.volumes === 0)) return 'Using: nothing (no live instances or volumes)';
  const instances =
    usage.instances === 0
      ? 'no live instances'
      : `${usage.instances} instance${usage.instances === 1 ? '' : 's'} (${usage.active} active): ${usage.cpu} CPU, ${formatMegabytes(usage.memoryMb)} memory, ${formatGigabytes(usage.diskGb)} disk`;
  const volumes = usage.volumes === 0 ? 'no volumes' : `${usage.volumes} volume${usage.volumes === 1 ? '' : 's'}, ${formatGigabytes(usage.volumeGb)}`;
  return `Using: ${instances}; ${volumes}`;
}

/**
 * Whole lines up to the field limit; what does not fit is counted, never dropped without a word.
 */
function boundedLines(lines: readonly string[], tail = ''): string {
  const kept: string[] = [];
  let length = tail.length;
  for (const [index, line] of lines.entries()) {
    const left = lines.length - index;
    const reserve = left > 1 ? 40 : 0;
    if (length + line.length + 1 + reserve > FIELD_LIMIT) {
      kept.push(`… and ${left} more`);
      break;
    }
    kept.push(line);
    length += line.length + 1;
  }
  return `${kept.join('\n')}${tail}`;
}

/** One field per provider: the quota the identity has and what the user runs there now. */
export function providerFields(quotas: readonly IdentityQuota[], context: RequesterContext): Field[] {
  const byProvider = new Map(context.usage.map((usage) => [usage.provider, usage]));
  const providers = [...new Set([...quotas.map((q) => q.provider), ...context.usage.map((u) => u.provider)])];
  if (providers.length === 0) return [{ label: 'Quota and use', value: 'No identities on any provider, and nothing running.' }];
  const fields = providers.slice(0, PROVIDER_FIELDS).map((provider) => {
    const quota = quotas.find((q) => q.provider === provider);
    const lines = [quota ? `Quota: ${formatQuota(quota.quota)}` : 'Quota: no identity here (shared through a group?)', usageLine(byProvider.get(provider))];
    return { label: `On ${provider}`, value: lines.join('\n') };
  });
  const rest = providers.slice(PROVIDER_FIELDS);
  if (rest.length > 0) fields.push({ label: 'Other providers', value: clipText(`${rest.length} more: ${rest.join(', ')}`, FIELD_LIMIT, '/atmo instances user <username>') });
  return fields;
}

/** The newest live instances, with how many there are in all. */
export function recentInstancesField(context: RequesterContext, username: string, now: Date): Field | null {
  if (context.instanceCount === 0) return null;
  const lines = context.recentInstances.map(
    (i) => `#${i.id} ${clipText(i.name, 40, `/atmo instance ${i.id}`)} · ${i.size ?? 'unknown size'} (${i.cpu} CPU, ${formatMegabytes(i.memoryMb)}) · ${i.status ?? 'no status'} · ${i.provider} · ${formatAge(i.startDate, now)} old`,
  );
  const more = context.instanceCount > lines.length ? `\n… and ${context.instanceCount - lines.length} more; /atmo instances user ${username} lists them all.` : '';
  return { label: `Live instances (${context.instanceCount}, newest first)`, value: boundedLines(lines, more) };
}

/** When an allowance runs out at the source's current burn rate, or why it doesn't. */
function runsOut(left: number, burnRate: number | null, updated: Date | null, now: Date): string {
  if (left <= 0) return 'used up';
  if (burnRate === null || burnRate <= 0) return 'not burning now';
  const hours = left / burnRate;
  // Counted from the snapshot, not from now: the engine's numbers are as of its last run.
  const from = updated ?? now;
  const at = new Date(from.getTime() + hours * HOUR);
  return at <= now ? 'runs out about now at that rate' : `runs out in ${formatDuration(at.getTime() - now.getTime())} at that rate (${formatTimestamp(at)})`;
}

/** Each allocation source: allowed, used, burn rate and when it runs out at that rate. */
export function allocationField(sources: readonly AllocationSourceView[], context: RequesterContext, now: Date): Field {
  if (sources.length === 0) return { label: 'Allocation', value: 'No allocation source.' };
  const usage = new Map(context.allocations.map((row) => [row.sourceId, row]));
  const lines = sources.map((source) => {
    const shared = source.members > 1 ? `, shared by ${source.members} users` : '';
    const ends = source.endDate ? `, ends ${formatTimestamp(source.endDate)}` : '';
    const head = `${source.name}: ${formatAu(source.computeAllowed)} allowed${shared}${ends}`;
    const snapshot = usage.get(source.id);
    if (!snapshot || snapshot.sourceUsed === null) {
      const own = snapshot?.userUsed !== null && snapshot?.userUsed !== undefined ? `; this user used ${formatAu(snapshot.userUsed)}` : '';
      return `${head}; no usage snapshot from the allocation engine yet${own}`;
    }
    const used = snapshot.sourceUsed;
    const percent = source.computeAllowed > 0 ? ` (${formatNumber((used / source.computeAllowed) * 100)}%)` : '';
    const left = source.computeAllowed - used;
    const own = source.members > 1 && snapshot.userUsed !== null ? `; this user ${formatAu(snapshot.userUsed)} at ${formatNumber(snapshot.userBurnRate ?? 0)} AU/h` : '';
    const asOf = snapshot.updated ? `, as of ${formatAgo(snapshot.updated, now)}` : '';
    return `${head}; used ${formatAu(used)}${percent}, ${formatAu(Math.max(left, 0))} left; burning ${formatNumber(snapshot.sourceBurnRate ?? 0)} AU/h${own}; ${runsOut(left, snapshot.sourceBurnRate, snapshot.updated, now)}${asOf}`;
  });
  return { label: 'Allocation', value: boundedLines(lines) };
}

/** Age, state and last login of the account, as Atmosphere's `is_enabled` judges it. */
export function accountField(context: RequesterContext, now: Date): Field {
  const account = context.account;
  if (!account) return { label: 'Account', value: 'not found' };
  const enabled = account.active && (!account.endDate || account.endDate > now);
  const state = enabled
    ? 'enabled'
    : `DISABLED (${!account.active ? 'not active' : ''}${!account.active && account.endDate ? ', ' : ''}${account.endDate && account.endDate <= now ? `end-dated ${formatTimestamp(account.endDate)}` : ''})`;
  const login = account.lastLogin ? `last login ${formatAgo(account.lastLogin, now)}` : 'never logged in';
  return { label: 'Account', value: `${state}; joined ${formatTimestamp(account.joined)} (${formatAge(account.joined, now)} ago); ${login}` };
}

/** The user's other requests: counts by status, and the newest few with how each was decided. */
export function earlierRequestsField(context: RequesterContext): Field {
  const counts = Object.entries(context.requestCounts).sort(([a], [b]) => a.localeCompare(b));
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return { label: 'Earlier requests', value: 'none: this is their first' };
  const summary = `${total} in all: ${counts.map(([status, n]) => `${n} ${status}`).join(', ')}`;
  const lines = context.recentRequests.map((r) => {
    const by = r.decidedBy ? ` by ${r.decidedBy} (bot, ${r.platform ?? '?'})` : '';
    const when = r.endDate ? ` ${formatTimestamp(r.endDate).slice(0, 10)}` : '';
    const message = r.adminMessage ? `; "${clipText(r.adminMessage, 60, `/atmo request ${r.id}`)}"` : '';
    return `#${r.id} ${formatTimestamp(r.startDate).slice(0, 10)} ${clipText(r.request, 60, `/atmo request ${r.id}`)} → ${r.status}${by}${when}${message}`;
  });
  const more = total > lines.length ? `\n(the newest ${lines.length} shown)` : '';
  return { label: 'Earlier requests', value: boundedLines([summary, ...lines], more) };
}
