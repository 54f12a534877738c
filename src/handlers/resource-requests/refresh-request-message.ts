import type { HandlerContext } from '../../bot/chat/command.js';
import { getRequesterHoldings } from '../../db/queries/allocation-sources.js';
import { sectionsShown, type Reply } from '../../bot/chat/reply.js';
import { getResourceRequestAndDecision, listPendingResourceRequests } from '../../db/queries/resource-requests.js';
import { getRequesterContext } from '../../db/queries/requester-context.js';
import { emulationUrl } from '../emulation-url.js';
import { renderPendingList, renderRequestDetail, type RequestView } from './render-resource-request.js';

/** How many pending requests one list message shows; more would pass Slack's 50-block limit (Discord's page is smaller: `sectionsShown`). */
export const LIST_LIMIT = 15;

/** The current pending list, as `/atmo requests` shows it: the oldest page that fits one message on the platform. */
export async function buildPendingList(ctx: HandlerContext, note?: string): Promise<Reply> {
  const { db } = ctx.deps;
  // The page, the count of all pending and the requesters' quotas come in one statement.
  const { rows, total, quotas } = await listPendingResourceRequests(db, { limit: sectionsShown(ctx.event.platform, LIST_LIMIT) });
  return renderPendingList({ rows, total, quotas, now: ctx.deps.now(), ...(note ? { note } : {}) });
}

/** How many of the requester's newest instances and other requests the view names; the rest are counted. */
export const CONTEXT_RECENT = 5;

/** One request as `/atmo request <id>` shows it, with its decision if any; null when it doesn't exist. */
export async function buildRequestDetail(ctx: HandlerContext, id: number): Promise<Reply | null> {
  const { db } = ctx.deps;
  // The request comes with the bot's decision on it, if any, in one statement.
  const found = await getResourceRequestAndDecision(db, id);
  if (!found) return null;
  const { request, decision } = found;
  // What the requester holds (quotas, allocation sources) is one statement, and the context to decide
  // by (use, allocation snapshots, account, earlier requests) one beside it.
  const [{ quotas, sources }, context] = await Promise.all([
    getRequesterHoldings(db, request.requester.id),
    getRequesterContext(db, request.requester.id, id, CONTEXT_RECENT),
  ]);
  const emulateUrl = emulationUrl(ctx.deps.config.ATMOSPHERE_WEB_URL, request.requester.username);
  return renderRequestDetail({
    request,
    quotas,
    allocations: sources,
    decision,
    context,
    now: ctx.deps.now(),
    ...(emulateUrl ? { emulateUrl } : {}),
  });
}

/**
 * Re-renders the message a request's button sat on so it shows the current state: the single-request
 * message loses its buttons once decided; the list shows the remaining pending requests.
 */
export async function refreshRequestMessage(ctx: HandlerContext, id: number, view: RequestView, note?: string): Promise<void> {
  const message = view === 'list' ? await buildPendingList(ctx, note) : await buildRequestDetail(ctx, id);
  if (message) await ctx.updateSource(message);
}
