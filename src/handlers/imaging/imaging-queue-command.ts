import { z } from 'zod';
import { defineCommand, type HandlerContext } from '../../bot/chat/command.js';
import type { Reply } from '../../bot/chat/reply.js';
import { UserError } from '../../errors.js';
import { findQueuedRequest, listImagingQueue, moveQueuedRequest, removeQueuedRequest, withImagingSlotLock } from '../../db/queries/imaging-queue.js';
import { getMachineRequest } from '../../db/queries/machine-requests.js';
import { recordRequestEvent } from '../../db/queries/request-events.js';
import { formatAgo, formatTimestamp } from '../format-time.js';
import { recordId } from '../record-id.js';
import { findImagingOccupants } from './find-imaging-occupant.js';
import { queuePause } from './advance-queue-if-waiting.js';

/** The queue with who holds the imaging slot, as `/atmo imaging queue` shows it. */
export async function buildQueueReply(ctx: HandlerContext, note?: string): Promise<Reply> {
  const { deps } = ctx;
  const [queue, occupants, paused] = await Promise.all([listImagingQueue(deps.db), findImagingOccupants(deps), queuePause(deps)]);
  const now = deps.now();
  const slot =
    occupants.length === 0
      ? 'The imaging slot is free.'
      : `Imaging now: ${occupants.map((o) => `#${o.request.id} "${o.request.newApplicationName}" (${occupantState(o.request.status, o.triage.summary)})`).join('; ')}.`;
  const lines: string[] = [];
  for (const entry of queue) {
    const request = await getMachineRequest(deps.db, entry.requestId);
    const what = request ? `"${request.newApplicationName}" ${request.newVersionName} for ${request.owner.username} (${request.status})` : '(request gone)';
    lines.push(`${entry.place}. #${entry.requestId} ${what}, approved by ${entry.queuedBy} ${formatAgo(entry.queuedAt, now)}`);
  }
  const body = lines.length > 0 ? `${lines.length} queued, next first:\n${lines.join('\n')}` : 'Nothing is queued.';
  const waits = paused && lines.length > 0 ? `\nThe queue waits and approves nothing for now: ${paused}` : '';
  return { title: 'Imaging queue', text: `${note ? `${note}\n` : ''}${slot}\n${body}${waits}`, visibility: 'channel' };
}

const args = z
  .object({
    action: z.enum(['list', 'move', 'cancel'], { error: 'say list, move or cancel' }).default('list'),
    id: recordId('imaging request').optional(),
    position: z.coerce.number({ error: 'the position must be a number, e.g. 1' }).int('the position must be a whole number').min(1, 'positions start at 1').max(1000, 'the queue is never that long').optional(),
  })
  .superRefine((value, ctx) => {
    if (value.action !== 'list' && value.id === undefined) ctx.addIssue({ code: 'custom', message: `${value.action} needs the request id` });
    if (value.action === 'move' && value.position === undefined) ctx.addIssue({ code: 'custom', message: 'move needs the new position (1 = next)' });
  });

export const imagingQueueCommand = defineCommand({
  name: 'imaging queue',
  summary: 'Show the imaging queue; move <id> <position> reorders it, cancel <id> takes one out',
  usage: '/atmo imaging queue [move <id> <position> | cancel <id>]',
  options: [
    { name: 'action', description: 'list (default), move or cancel', type: 'string', choices: ['list', 'move', 'cancel'] },
    { name: 'id', description: 'Imaging request id (move, cancel)', type: 'integer' },
    { name: 'position', description: 'New place in the queue, 1 = next (move)', type: 'integer' },
  ],
  args,
  permission: 'staff',
  async run(ctx, input) {
    if (input.action === 'list') return buildQueueReply(ctx);
    const id = input.id!;
    const { deps } = ctx;
    // Under the slot lock, so the queue job never approves a request being taken out at that moment.
    const note = await withImagingSlotLock(deps.db, async () => {
      const queued = await findQueuedRequest(deps.db, id);
      if (!queued) throw new UserError('not_found', `Imaging request #${id} is not in the imaging queue. /atmo imaging queue shows what is.`);
      if (input.action === 'cancel') {
        await removeQueuedRequest(deps.db, id);
        await recordRequestEvent(deps.db, { subject: 'machine_request', recordId: id, at: deps.now(), actor: ctx.actor.username, platform: ctx.event.platform, action: 'dequeued', note: `taken out of the imaging queue (was place ${queued.place}); still pending` });
        return `Took #${id} out of the imaging queue. It is still pending in Atmosphere: approve it again or deny it.`;
      }
      const order = await moveQueuedRequest(deps.db, id, input.position!);
      const place = order?.find((row) => row.requestId === id)?.place ?? input.position!;
      await recordRequestEvent(deps.db, { subject: 'machine_request', recordId: id, at: deps.now(), actor: ctx.actor.username, platform: ctx.event.platform, action: 'moved', note: `imaging queue place ${queued.place} → ${place}` });
      return `Moved #${id} from place ${queued.place} to ${place} at ${formatTimestamp(deps.now())}.`;
    }, deps.waitOutsideSlot);
    ctx.audit({ machineRequestId: id, queue: input.action });
    return buildQueueReply(ctx, note);
  },
});

/**
 * `started for 50 min`, not `started, started for 50 min`: the triage summary already names the status
 * when it starts with it; otherwise both are said.
 */
export function occupantState(status: string, summary: string): string {
  return summary.toLowerCase().startsWith(status.toLowerCase()) ? summary : `${status}, ${summary}`;
}
