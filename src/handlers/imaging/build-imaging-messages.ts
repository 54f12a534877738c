import { emulationUrl } from '../emulation-url.js';
import type { HandlerContext } from '../../bot/chat/command.js';
import { sectionsShown, type Reply } from '../../bot/chat/reply.js';
import { countMachineRequests, getMachineRequest, getParentImage, listMachineRequests, listNewestMachineRequests, RUNNING_STATUSES } from '../../db/queries/machine-requests.js';
import { isErroredOrStuck, loadImagingItems, type ImagingItem } from './load-imaging-items.js';
import { IMAGING_LIST_LIMIT, renderImagingDetail, renderImagingList, type ImagingFilter, type ImagingView } from './render-imaging.js';
import { buildTriageReply } from './triage-report.js';
import { requireImagingItem } from './machine-request-checks.js';
import { readFlowerTasks, readImagingQueue, type FlowerTasksEvidence, type ImagingQueueEvidence } from '../evidence/flower-evidence.js';
import { settlesWithin } from '../evidence/settles-within.js';
import { answerThenEdit } from '../evidence/answer-then-edit.js';
import { PENDING } from '../evidence/render-nova-evidence.js';
import { flowerTaskLines, imagingQueueLines } from '../evidence/render-flower-evidence.js';
import { instanceTools } from '../instances/instance-tools.js';
import { imagingCloudLines } from '../evidence/imaging-cloud-evidence.js';

const RUNNING: ReadonlySet<string> = new Set(RUNNING_STATUSES);

/** The requests a filter shows, in display order (a page that fits one message on the platform), with how many there are in all. */
async function itemsFor(ctx: HandlerContext, filter: ImagingFilter): Promise<{ items: ImagingItem[]; total: number }> {
  const { deps } = ctx;
  const limit = sectionsShown(ctx.event.platform, IMAGING_LIST_LIMIT);
  if (filter === 'all') {
    const [requests, total] = await Promise.all([listNewestMachineRequests(deps.db, limit), countMachineRequests(deps.db)]);
    return { items: await loadImagingItems(deps, requests), total };
  }
  const requests = await listMachineRequests(deps.db, filter === 'pending' ? 'pending' : 'unfinished');
  const items = await loadImagingItems(deps, requests);
  const wanted =
    filter === 'pending'
      ? items
      : filter === 'active'
        ? items.filter((item) => RUNNING.has(item.request.status) && item.triage.severity !== 'error')
        : items.filter(isErroredOrStuck);
  return { items: wanted.slice(0, limit), total: wanted.length };
}

/** `/atmo imaging <filter>`. */
export async function buildImagingList(ctx: HandlerContext, filter: ImagingFilter, note?: string): Promise<Reply> {
  const { items, total } = await itemsFor(ctx, filter);
  return renderImagingList({ items, total, filter, now: ctx.deps.now(), ...(note ? { note } : {}) });
}

/** `/atmo imaging show <id>`; a UserError when there is no such request. */
export async function buildImagingDetail(ctx: HandlerContext, id: number, note?: string): Promise<Reply> {
  // Tagged before any refusal, so `/atmo audit imaging <id>` finds refusals too.
  ctx.audit({ machineRequestId: id });
  const item = await requireImagingItem(ctx.deps, id);
  return renderImagingDetail(item, ctx.deps.now(), note, emulationUrl(ctx.deps.config.ATMOSPHERE_WEB_URL, item.request.owner.username));
}

/** What the cloud said for an imaging triage; `pending` while a source is still out. */
interface ImagingEvidence {
  tasks: FlowerTasksEvidence;
  queue: ImagingQueueEvidence;
  /** Nova and Glance's lines; null without OpenStack for the provider (or when not asked). */
  cloud: string[] | null | 'pending';
}

/**
 * The staff guide's level-two triage information for one request, with the bot's history as notes.
 * Flower, Nova and Glance are asked beside the database, each answer (or failure) becoming a block;
 * one slower than EVIDENCE_WAIT_MS is shown as still asked and completes the triage when it answers.
 */
export async function buildImagingTriage(ctx: HandlerContext, id: number): Promise<Reply | void> {
  // Tagged before any refusal, so `/atmo audit imaging <id>` finds refusals too.
  ctx.audit({ machineRequestId: id });
  const item = await requireImagingItem(ctx.deps, id);
  const { request } = item;
  const seen: ImagingEvidence = { tasks: { kind: 'pending' }, queue: { kind: 'pending' }, cloud: 'pending' };
  const all = Promise.all([
    readFlowerTasks(ctx.deps, request.instance.providerAlias).then((tasks) => (seen.tasks = tasks)),
    readImagingQueue(ctx.deps).then((queue) => (seen.queue = queue)),
    (item.triage.severity === 'error' ? imagingCloudLines(ctx.deps, request) : Promise.resolve(null)).then((cloud) => (seen.cloud = cloud)),
  ]).then(() => ({ ...seen }));
  const [image, inTime] = await Promise.all([getParentImage(ctx.deps.db, id), settlesWithin(all, ctx.deps.config.EVIDENCE_WAIT_MS)]);
  const view = (evidence: ImagingEvidence) => renderTriage(ctx, item, image, evidence);
  if (inTime) return view(await all);
  return answerThenEdit(ctx, view({ ...seen }), all.then(view));
}

function renderTriage(ctx: HandlerContext, item: ImagingItem, image: Awaited<ReturnType<typeof getParentImage>>, answers: ImagingEvidence): Reply {
  const { request } = item;
  const search = instanceTools(ctx.deps.config, { username: request.owner.username, uuid: request.instance.providerAlias, ip: request.instance.ipAddress }).flower;
  const taskLines = flowerTaskLines(answers.tasks, search);
  const queueLines = imagingQueueLines(answers.queue);
  const cloud = answers.cloud === 'pending' ? [PENDING('Nova and Glance')] : answers.cloud;
  const evidence = [
    ...(cloud ? [{ heading: 'The cloud (Nova, Glance):', lines: cloud }] : []),
    ...(taskLines ? [{ heading: 'Celery tasks of the instance (Flower):', lines: taskLines }] : []),
    ...(queueLines ? [{ heading: 'Imaging queue (Flower):', lines: queueLines }] : []),
  ];
  return buildTriageReply({
    request: {
      id: request.id,
      status: request.status,
      oldStatus: request.oldStatus,
      startDate: request.startDate,
      newApplicationName: request.newApplicationName,
      newVersionName: request.newVersionName,
    },
    owner: { username: request.owner.username, email: request.owner.email },
    instance: { id: request.instance.id, providerAlias: request.instance.providerAlias, name: request.instance.name, ipAddress: request.instance.ipAddress },
    provider: { location: request.provider.location },
    image: image ? { name: image.name, ...(image.version ? { version: image.version } : {}), identifier: image.identifier } : null,
    triage: item.triage,
    history: item.events.map((e) => ({ at: e.at, actor: e.actor, action: `${e.action} (${e.platform})`, ...(e.note ? { note: e.note } : {}) })),
    evidence,
    now: ctx.deps.now(),
  });
}

/** Re-renders the message a button sat on: the single request, or the list it belonged to. */
export async function refreshImagingMessage(ctx: HandlerContext, id: number, view: ImagingView, note?: string): Promise<void> {
  const exists = view === 'single' ? await getMachineRequest(ctx.deps.db, id) : true;
  if (!exists) return;
  await ctx.updateSource(view === 'single' ? await buildImagingDetail(ctx, id, note) : await buildImagingList(ctx, view, note));
}
