import type { HandlerContext } from '../../bot/chat/command.js';
import { sectionsShown, type Reply } from '../../bot/chat/reply.js';
import type { Deps } from '../../deps.js';
import { IntegrationError, UserError } from '../../errors.js';
import { renderIntegrationError } from '../../bot/chat/render-error.js';
import { findInstances, getInstances, listProviders, listUserInstances, type InstanceRow } from '../../db/queries/instances.js';
import { refreshInstanceWatch } from '../../db/queries/instance-watch.js';
import { SETTLED_STATUSES } from './classify-instance.js';
import { loadInstanceItems, type InstanceItem } from './load-instance-items.js';
import { nextInstanceStep, type StepChoice } from './next-instance-step.js';
import { INSTANCE_LIST_LIMIT, renderInstanceDetail, renderInstanceList, SHOW_INSTANCE_ACTION } from './render-instance.js';
import { buildInstanceReport } from './instance-report.js';
import { formatTimestamp } from '../format-time.js';
import { describeClaim } from '../decisions/describe-claim.js';
import { settleOpenInstanceClaim } from './instance-claims.js';
import { gatherInstanceEvidence, gatherWithin, withEvidence } from '../evidence/instance-evidence.js';
import { answerThenEdit } from '../evidence/answer-then-edit.js';

/**
 * Asks Atmosphere which actions the instance allows now and picks the guide's next step among them.
 * A failure to ask is not fatal for a view: it shows no step button and says why.
 */
export async function chooseStep(deps: Pick<Deps, 'gateway' | 'log'>, item: InstanceItem): Promise<{ choice: StepChoice | null; note?: string }> {
  if (item.triage.steps.length === 0 || item.instance.endDate) return { choice: null };
  try {
    const valid = await deps.gateway.listInstanceActions({ uuid: item.instance.uuid });
    return { choice: nextInstanceStep(item.triage, item.events, item.episodeStart, valid) };
  } catch (error) {
    if (!(error instanceof UserError) && !(error instanceof IntegrationError)) throw error;
    if (error instanceof IntegrationError) deps.log.warn({ err: error, instance: item.instance.id }, 'instance actions not read');
    return { choice: nextInstanceStep(item.triage, item.events, item.episodeStart, null), note: `No action buttons: ${error instanceof IntegrationError ? renderIntegrationError(error) : error.message}` };
  }
}

/** One instance by its database id; a UserError when there is none. */
export async function requireInstanceItem(ctx: HandlerContext, id: number): Promise<InstanceItem> {
  const [row] = await getInstances(ctx.deps.db, [id]);
  if (!row) throw new UserError('not_found', `There is no instance #${id}. Find it by uuid, IP or name: /atmo instance <id | uuid | ip | name>.`);
  return (await loadInstanceItems(ctx.deps, [row], ctx.deps.now()))[0]!;
}

/**
 * The detail view of one instance, with the step Atmosphere allows. The bot's last action on it is
 * settled first, so the view shows it recorded if it landed; while it is still open (running, or
 * held after an unclear answer) no step is offered beside it.
 */
export async function buildInstanceDetail(ctx: HandlerContext, id: number): Promise<Reply | void> {
  const open = await settleOpenInstanceClaim(ctx.deps, id);
  const found = await requireInstanceItem(ctx, id);
  const held = open && (open.kind === 'busy' || open.kind === 'held');
  // Atmosphere's actions and the cloud's evidence are asked at the same time; neither waits for the other.
  const [step, gathered] = await Promise.all([
    held ? { choice: nextInstanceStep(found.triage, found.events, found.episodeStart, null), note: `No action button while the bot's last action is open: instance #${id} ${describeClaim(open.row)}.` } : chooseStep(ctx.deps, found),
    gatherWithin(ctx.deps, found, ctx.deps.config.EVIDENCE_WAIT_MS),
  ]);
  const view = (evidence: Parameters<typeof withEvidence>[2]) => renderInstanceDetail(withEvidence(ctx.deps, found, evidence, ctx.deps.now()), ctx.deps.now(), step.choice, step.note);
  if (!gathered.late) return view(gathered.evidence);
  // A source slower than EVIDENCE_WAIT_MS: the view goes out now and is completed once every source has answered.
  return answerThenEdit(ctx, view(gathered.evidence), gathered.late.then(view));
}

function matchList(term: string, rows: readonly InstanceRow[]): Reply {
  return {
    text: `${rows.length} instances match "${term}"; pick one, or ask again by id or uuid.`,
    sections: rows.map((row) => ({
      text: `#${row.id} *${row.name}* of ${row.owner} on ${row.provider}, ${row.ip ?? 'no IP'}, launched ${formatTimestamp(row.startDate)}${row.endDate ? ' (deleted)' : ''}\n${row.uuid}`,
      buttons: [{ label: 'Show', action: SHOW_INSTANCE_ACTION, value: String(row.id) }],
    })),
    visibility: 'ephemeral',
  };
}

/** `/atmo instance <id | uuid | ip | name>`: the one instance, or the matches to choose from. */
export async function buildInstanceLookup(ctx: HandlerContext, term: string, report: boolean): Promise<Reply | void> {
  const rows = await findInstances(ctx.deps.db, term);
  if (rows.length === 0) {
    throw new UserError('not_found', `No instance matches "${term}". Give its id (42), uuid (provider alias), IP address or exact name.`);
  }
  if (rows.length > 1) return matchList(term, rows);
  if (report) return buildReportReply(ctx, rows[0]!.id);
  return buildInstanceDetail(ctx, rows[0]!.id);
}

/** `/atmo instance report <id>`: the guide's text for the Atmosphere team. */
export async function buildReportReply(ctx: HandlerContext, id: number): Promise<Reply> {
  const found = await requireInstanceItem(ctx, id);
  const item = withEvidence(ctx.deps, found, await gatherInstanceEvidence(ctx.deps, found), ctx.deps.now());
  return { title: `Instance #${id} "${item.instance.name}": report for the Atmosphere team`, text: buildInstanceReport(item, ctx.deps.now()), visibility: 'ephemeral' };
}

/**
 * Every instance in error or stuck, oldest first, optionally on one provider (id or name). Reads the
 * watch the alert scan keeps, brought up to date first (rows added since the last scan, by primary key).
 */
export async function listStuckInstances(deps: Pick<Deps, 'db' | 'config'>, now: Date, providerFilter?: string): Promise<InstanceItem[]> {
  const watched = await refreshInstanceWatch(deps.db, SETTLED_STATUSES);
  const rows = await getInstances(deps.db, watched.map((entry) => entry.instanceId));
  const wanted = providerFilter?.trim().toLowerCase();
  const onProvider = wanted ? rows.filter((row) => String(row.providerId) === wanted || row.provider.toLowerCase() === wanted) : rows;
  const items = await loadInstanceItems(deps, onProvider, now);
  return items
    .filter((item) => item.triage.severity === 'error' || item.triage.severity === 'stuck')
    .sort((a, b) => a.triage.evidence.since.getTime() - b.triage.evidence.since.getTime() || a.instance.id - b.instance.id);
}

export async function buildStuckList(ctx: HandlerContext, providerFilter?: string): Promise<Reply> {
  if (providerFilter) {
    const providers = await listProviders(ctx.deps.db);
    const wanted = providerFilter.trim().toLowerCase();
    if (!providers.some((p) => String(p.id) === wanted || p.name.toLowerCase() === wanted)) {
      throw new UserError('usage', `There is no provider "${providerFilter}". Name one by id or name: ${providers.map((p) => `${p.id} (${p.name})`).join(', ')}.`);
    }
  }
  const items = await listStuckInstances(ctx.deps, ctx.deps.now(), providerFilter);
  const where = providerFilter ? ` on ${providerFilter}` : '';
  return renderInstanceList(items, `${items.length} instances in error or stuck${where}, oldest first`, ctx.deps.now(), `No instance is in error or stuck${where}.`, sectionsShown(ctx.event.platform, INSTANCE_LIST_LIMIT));
}

export async function buildUserList(ctx: HandlerContext, username: string): Promise<Reply> {
  const rows = await listUserInstances(ctx.deps.db, username);
  if (rows === null) throw new UserError('not_found', `There is no Atmosphere user "${username}". Usernames are exact, e.g. jsmith.`);
  const items = await loadInstanceItems(ctx.deps, rows, ctx.deps.now());
  return renderInstanceList(items, `${username} has ${items.length} current instances, newest first`, ctx.deps.now(), `${username} has no current instances.`, sectionsShown(ctx.event.platform, INSTANCE_LIST_LIMIT));
}
