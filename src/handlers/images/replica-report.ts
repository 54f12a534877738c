import { createHash } from 'node:crypto';
import type { Reply, Section } from '../../bot/chat/reply.js';
import { listCatalogueCopies, listProviders } from '../../db/queries/images.js';
import type { Deps } from '../../deps.js';
import { IntegrationError, UserError } from '../../errors.js';
import { integrationReason } from '../../bot/chat/render-error.js';
import { findReplicaGaps, type ReplicaCopy } from './build-replica-report.js';
import { replicaCleanupSteps, syncProvidersCommand } from './image-snippets.js';

/** Past this many lines per replica the list says how many more there are; the sync command covers all. */
const MAX_LISTED = 25;

interface Provider {
  id: number;
  location: string;
}

/** A provider by id or by its name (`provider.location`, case-insensitive). */
function resolveProvider(all: readonly Provider[], given: string): Provider {
  const byId = /^\d+$/.test(given) ? all.find((p) => p.id === Number(given)) : undefined;
  const found = byId ?? all.find((p) => p.location.toLowerCase() === given.toLowerCase());
  if (!found) throw new UserError('not_found', `There is no provider "${given}". Known providers: ${all.map((p) => `${p.id} (${p.location})`).join(', ')}.`);
  return found;
}

export interface ReplicaChoice {
  master: string | undefined;
  replicas: readonly string[] | undefined;
}

/** A copy on a replica whose Glance image is missing or not active: the guide's hard case. */
interface BrokenCopy extends ReplicaCopy {
  replicaId: number;
  problem: string;
  imageExists: boolean;
}

/**
 * The replica report: what application_sync_providers.py would copy from the master to each replica,
 * and, with OpenStack configured, the copies recorded on a replica whose image there is missing or
 * not active (which the script never retries), with the guide's clean-up steps. Used by
 * `/atmo images replicas` and by the weekly report.
 */
export interface ReplicaReport {
  reply: Reply;
  problems: number;
  masterId: number;
  /** The problems found, as one comparable string: the weekly thread posts only when it changes. */
  fingerprint: string;
}

export async function buildReplicaReport(deps: Deps, choice: ReplicaChoice): Promise<ReplicaReport> {
  const masterName = choice.master ?? deps.config.IMAGE_MASTER_PROVIDER;
  const replicaNames = choice.replicas && choice.replicas.length > 0 ? choice.replicas : deps.config.IMAGE_REPLICA_PROVIDERS;
  if (!masterName || replicaNames.length === 0) {
    throw new UserError('usage', 'Say which providers: --master <provider> --replicas <provider,...> (id or name), or set IMAGE_MASTER_PROVIDER and IMAGE_REPLICA_PROVIDERS.');
  }
  const all = await listProviders(deps.db);
  const master = resolveProvider(all, masterName);
  const replicas = replicaNames.map((name) => resolveProvider(all, name));
  if (replicas.some((r) => r.id === master.id)) throw new UserError('invalid_value', `Provider ${master.id} (${master.location}) cannot be both the master and a replica.`);
  if (new Set(replicas.map((r) => r.id)).size !== replicas.length) throw new UserError('invalid_value', 'A replica is named twice; name each once.');

  const rows = await listCatalogueCopies(deps.db, [master.id, ...replicas.map((r) => r.id)], deps.now());
  const findings = findReplicaGaps(rows, master.id, replicas.map((r) => r.id));
  const name = (id: number) => `${replicas.find((r) => r.id === id)?.location ?? id} (${id})`;
  const sections: Section[] = [];
  const toSync = new Set<number>();
  const notes: string[] = [];
  const broken: BrokenCopy[] = [];

  for (const finding of findings) {
    for (const version of finding.missing) toSync.add(version.applicationId);
    if (finding.missing.length > 0) {
      const lines = finding.missing.slice(0, MAX_LISTED).map((v) => `#${v.applicationId} "${v.applicationName}": version "${v.versionName}" (${v.versionId})`);
      if (finding.missing.length > MAX_LISTED) lines.push(`… and ${finding.missing.length - MAX_LISTED} more`);
      sections.push({ text: `Missing on ${name(finding.replicaId)}: ${finding.missing.length} version(s)\n${lines.join('\n')}` });
    }
    if (!deps.openstack) continue;
    const glance = deps.openstack.glance(finding.replicaId);
    if (!glance) {
      if (finding.copies.length > 0) notes.push(`Copies on ${name(finding.replicaId)} were not checked in Glance: OPENSTACK_CLOUDS has no credential for provider ${finding.replicaId}.`);
      continue;
    }
    for (const copy of finding.copies) {
      try {
        const image = await glance.getImage(copy.identifier);
        if (!image) broken.push({ ...copy, replicaId: finding.replicaId, problem: 'missing in Glance', imageExists: false });
        else if (image.status !== 'active') broken.push({ ...copy, replicaId: finding.replicaId, problem: `Glance status "${image.status}"`, imageExists: true });
      } catch (error) {
        if (!(error instanceof IntegrationError)) throw error;
        notes.push(`Could not check ${name(finding.replicaId)} in Glance: ${integrationReason(error)}. The copies there were not checked.`);
        break;
      }
    }
  }

  for (const copy of broken) {
    toSync.add(copy.applicationId);
    sections.push({
      text:
        `Broken copy on ${name(copy.replicaId)}: #${copy.applicationId} "${copy.applicationName}" version "${copy.versionName}" (${copy.versionId}), image ${copy.identifier}: ${copy.problem}. ` +
        `Atmosphere has a record there, so the sync script will not copy it again until the record is removed:\n` +
        replicaCleanupSteps({ applicationId: copy.applicationId, versionId: copy.versionId, replicaId: copy.replicaId, identifier: copy.identifier, imageExists: copy.imageExists }),
    });
  }

  const replicaIds = replicas.map((r) => r.id);
  const title = `Image replicas: ${master.location} (${master.id}) to ${replicas.map((r) => name(r.id)).join(', ')}`;
  const problems = findings.reduce((sum, f) => sum + f.missing.length, 0) + broken.length;
  const keys = [
    ...findings.flatMap((f) => f.missing.map((v) => `missing:${f.replicaId}:${v.versionId}`)),
    ...broken.map((b) => `broken:${b.replicaId}:${b.identifier}:${b.problem}`),
  ].sort();
  const fingerprint = `${problems}:${createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 16)}`;
  const facts = { problems, masterId: master.id, fingerprint };
  const checked = deps.openstack ? 'Replica copies were checked in Glance.' : 'Glance was not checked (OPENSTACK_CLOUDS is not set), so copies recorded on a replica but broken there are not found.';
  if (problems === 0) {
    return { reply: { title, text: `Every application current on the master is complete on each replica. ${checked}`, tone: 'success', ...(notes.length ? { footer: notes.join(' ') } : {}) }, ...facts };
  }
  const applicationIds = [...toSync].sort((a, b) => a - b);
  sections.push({
    text:
      `Then copy them with the guide's application_sync_providers.py on the Atmosphere server (add --dry-run first to see what it would do):\n` +
      syncProvidersCommand({ masterId: master.id, replicaIds, applicationIds }),
  });
  return {
    reply: {
      title,
      text: `${problems} problem(s): ${findings.map((f) => `${f.missing.length} version(s) missing on ${name(f.replicaId)}`).join(', ')}${broken.length ? `, ${broken.length} broken copy(ies)` : ''}. ${checked}`,
      sections,
      tone: 'warning',
      ...(notes.length ? { footer: notes.join(' ') } : {}),
      fullTextAt: `/atmo images replicas --master ${master.id} --replicas ${replicaIds.join(',')}`,
    },
    ...facts,
  };
}
