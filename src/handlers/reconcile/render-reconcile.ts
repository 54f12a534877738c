import { createHash } from 'node:crypto';
import type { Reply, Section } from '../../bot/chat/reply.js';
import { describeDifference, type Mismatch, type Orphan, type QuotaDrift, type Stale } from './compare-cloud.js';
import type { ProviderReconcile } from './gather-reconcile.js';

/** How many ids of each kind the message lists; the attached file has all of them. */
export const LISTED_PER_KIND = 10;

const shell = (code: string) => `./manage.py shell -c "${code}"`;
const pyList = (values: readonly string[]) => `[${values.map((value) => `'${value}'`).join(', ')}]`;

export function orphanLine(orphan: Orphan): string {
  const known =
    orphan.endedInstanceId !== null
      ? `; Atmosphere ended instance #${orphan.endedInstanceId} but Nova kept the server`
      : orphan.otherProviderId !== null
        ? `; Atmosphere files this server id under provider ${orphan.otherProviderId}`
        : '';
  return `${orphan.serverId} "${orphan.name}" ${orphan.status}, project ${orphan.projectId ?? 'unknown'}${known}`;
}

export function staleLine(stale: Stale): string {
  const { instance } = stale;
  return `${instance.uuid} #${instance.id} "${instance.name}", ${instance.owner}, ${instance.status ?? 'no status'}${instance.activity ? ` - ${instance.activity}` : ''}`;
}

export function mismatchLine(mismatch: Mismatch): string {
  const { instance } = mismatch;
  return `${instance.uuid} #${instance.id}, ${instance.owner}: Atmosphere ${instance.status}${instance.activity ? ` - ${instance.activity}` : ''}, Nova ${mismatch.novaStatus}`;
}

export function driftLine(drift: QuotaDrift): string {
  return `identity ${drift.identity.identityUuid} (${drift.identity.username}, quota #${drift.identity.quotaId}, project ${drift.projectId}): ${drift.differences.map(describeDifference).join('; ')}`;
}

/** The commands that fix the findings listed (one command for all of them where the tool takes several). */
function orphanFix(orphans: readonly Orphan[]): string {
  const ids = orphans.map((o) => o.serverId);
  return `Check each owner first (openstack server show ${ids[0]}); remove the leftovers: openstack server delete ${ids.join(' ')}`;
}

function staleFix(stale: readonly Stale[]): string {
  const ids = stale.map((s) => s.instance.uuid);
  return `Confirm Nova has none (openstack server show ${ids[0]} answers "No server"), then end them in Atmosphere: ${shell(`from core.models import Instance; [i.end_date_all() for i in Instance.objects.filter(provider_alias__in=${pyList(ids)})]`)}`;
}

function mismatchFix(providerId: number, mismatches: readonly Mismatch[]): string {
  const owners = [...new Set(mismatches.map((m) => m.instance.owner))];
  return `Refresh Atmosphere's records from Nova: ${shell(`from service.tasks.monitoring import monitor_instances_for; monitor_instances_for(${providerId}, users=${pyList(owners)}, print_logs=True)`)}`;
}

function driftFix(drift: readonly QuotaDrift[]): string {
  return `Re-apply Atmosphere's quotas to the cloud: ${shell(`from service.quota import set_provider_quota; [set_provider_quota(u) for u in ${pyList(drift.map((d) => d.identity.identityUuid))}]`)}`;
}

/** One kind's block: the count, the first `limit` findings, and the command for those listed. */
function kind<T>(title: string, items: readonly T[], line: (item: T) => string, fix: (items: readonly T[]) => string, limit: number): string | null {
  if (items.length === 0) return null;
  const listed = items.slice(0, limit);
  const lines = listed.map((item) => `• ${line(item)}`);
  if (items.length > limit) lines.push(`… and ${items.length - limit} more in the attached file, whose command covers them all`);
  return `${title}: ${items.length}\n${lines.join('\n')}\n${fix(listed)}`;
}

export function findingCount(result: ProviderReconcile): number {
  const servers = result.servers;
  return (servers ? servers.orphans.length + servers.stale.length + servers.mismatches.length : 0) + result.drift.length;
}

function summary(result: ProviderReconcile): string {
  const servers = result.servers;
  const parts = servers
    ? [`${servers.orphans.length} orphan(s)`, `${servers.stale.length} stale`, `${servers.mismatches.length} status mismatch(es)`]
    : ['servers not compared'];
  const quotasUnread = result.quotaProblems.length > 0 && result.counts.quotasChecked === 0;
  parts.push(quotasUnread ? 'quotas not compared' : `${result.drift.length} quota drift(s)`);
  return `${result.name} (${result.providerId}): ${parts.join(', ')}`;
}

function providerBlocks(result: ProviderReconcile, limit: number): string[] {
  const blocks: string[] = [summary(result)];
  if (result.serverProblem) blocks.push(`Servers not compared: ${result.serverProblem}.`);
  const servers = result.servers;
  if (servers) {
    blocks[0] += `\nNova lists ${result.counts.servers} server(s) in all projects; Atmosphere shows ${result.counts.instances} current instance(s) here (transitional states are not compared).`;
    for (const block of [
      kind('Orphans (in Nova, not current in Atmosphere)', servers.orphans, orphanLine, orphanFix, limit),
      kind('Stale (current in Atmosphere, gone from Nova)', servers.stale, staleLine, staleFix, limit),
      kind('Status mismatches', servers.mismatches, mismatchLine, (items) => mismatchFix(result.providerId, items), limit),
    ]) {
      if (block) blocks.push(block);
    }
  }
  const quota: string[] = [];
  if (result.counts.identities > 0) {
    quota.push(
      `Quotas: ${result.counts.quotasChecked} of ${result.counts.identities} identities compared with Nova (cores, ram, instances), Cinder (gigabytes, volumes, snapshots) and Neutron (floating IPs, ports).`,
    );
  }
  if (result.noProject.length > 0) {
    const names = result.noProject.slice(0, limit).join(', ');
    quota.push(
      `No Keystone project named after ${result.noProject.length} user(s), so their quota was not compared (Atmosphere names a user's project after the username): ${names}${result.noProject.length > limit ? ', …' : ''}`,
    );
  }
  quota.push(...result.quotaProblems);
  if (quota.length > 0) blocks.push(quota.join('\n'));
  const drift = kind('Quota drift', result.drift, driftLine, driftFix, limit);
  if (drift) blocks.push(drift);
  return blocks;
}

/** One comparable string of the findings and failures: the weekly thread is edited only when it changes. */
export function reconcileFingerprint(result: ProviderReconcile): string {
  const keys = [
    ...(result.servers?.orphans.map((o) => `orphan:${o.serverId}`) ?? []),
    ...(result.servers?.stale.map((s) => `stale:${s.instance.uuid}`) ?? []),
    ...(result.servers?.mismatches.map((m) => `mismatch:${m.instance.uuid}:${m.instance.status}:${m.novaStatus}`) ?? []),
    ...result.drift.map((d) => `quota:${d.identity.identityId}:${d.differences.map((x) => `${x.key}=${x.actual}/${x.expected}`).join(',')}`),
    ...(result.serverProblem ? ['servers-unread'] : []),
    ...(result.quotaProblems.length > 0 ? ['quotas-incomplete'] : []),
  ].sort();
  return `${findingCount(result)}:${createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 16)}`;
}

/**
 * The report of one or more providers: counts per kind, the first ids of each with the command that
 * fixes it, and every finding in an attached text file. `notes` are said under it (providers left out).
 */
export function renderReconcile(results: readonly ProviderReconcile[], notes: readonly string[], at: string): Reply {
  const total = results.reduce((sum, r) => sum + findingCount(r), 0);
  const failed = results.some((r) => r.serverProblem || r.quotaProblems.length > 0);
  // One section per kind, so each stays within a platform's section limit (Slack: 3000 characters).
  const sections: Section[] = results.flatMap((r) => providerBlocks(r, LISTED_PER_KIND).map((text) => ({ text })));
  const file = [
    `Reconciliation of Atmosphere with OpenStack, ${at}. Read-only: nothing was changed.`,
    ...results.map((r) => providerBlocks(r, Number.MAX_SAFE_INTEGER).join('\n\n')),
    ...notes,
  ].join('\n\n');
  return {
    title: `Reconcile: ${results.map((r) => `${r.name} (${r.providerId})`).join(', ') || 'no provider'}`,
    text: `${total === 0 && !failed ? 'Atmosphere and OpenStack agree' : `${total} finding(s)`}: ${results.map(summary).join('; ')}. Read-only: nothing was changed; each finding names the command that fixes it.`,
    sections,
    tone: failed ? 'danger' : total > 0 ? 'warning' : 'success',
    ...(notes.length > 0 ? { footer: notes.join(' ') } : {}),
    files: [{ name: `reconcile-${at.replace(/[^\dT]/g, '').slice(0, 13)}.txt`, title: 'Reconciliation, every finding', data: new TextEncoder().encode(`${file}\n`), mimeType: 'text/plain; charset=utf-8' }],
  };
}
