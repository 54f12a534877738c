import { DEFAULT_FINISH_DETAILS } from '../maintenance/statusio-sync.js';
import { z } from 'zod';
import { defineCommand } from '../../bot/chat/command.js';
import { UserError } from '../../errors.js';
import { formatTimestamp } from '../format-time.js';
import { requireStatusPage } from '../maintenance/maintenance-state.js';
import { checkWindowTimes } from '../maintenance/parse-time.js';
import { timeArg } from '../maintenance/maintenance-commands.js';
import { tickMaintenanceStep } from '../releases/runbook/runbook-for-maintenance.js';

/** A status.io record id as typed: its ids are hex object ids; nothing else is sent to the API. */
export const statusioId = z
  .string({ error: 'the status.io id is required' })
  .trim()
  .regex(/^[A-Za-z0-9]{1,64}$/, 'a status.io id is letters and digits, e.g. 5f3c1a9e8b7d6c5a4f3e2d1c');

export const details = (what: string) => z.string().trim().min(1, `${what} must not be empty`).max(4000, `${what} is longer than 4000 characters`);

/** `a-b,c-d` into pairs; the client checks each pair's shape. */
const components = z
  .string()
  .optional()
  .transform((text) => (text === undefined || text.trim() === '' ? undefined : text.split(',').map((pair) => pair.trim()).filter(Boolean)));

export const statusioScheduleCommand = defineCommand({
  name: 'statusio schedule',
  summary: 'Schedule a maintenance on the status.io page (subscribers hear 24 h and 1 h ahead)',
  usage: '/atmo statusio schedule --title "…" --details "…" --start "2026-12-01 16:00" --end "2026-12-01 23:00" [--components comp-cont,…]',
  options: [
    { name: 'title', description: 'Maintenance name on the status page', type: 'string', flag: true, required: true },
    { name: 'details', description: 'What subscribers read', type: 'string', flag: true, required: true },
    { name: 'start', description: 'Planned start: 2026-12-01 16:00 (UTC), ISO with offset, or +1d from now', type: 'string', flag: true, required: true },
    { name: 'end', description: 'Planned end: 2026-12-01 23:00 (UTC), ISO with offset, or +2h after the start', type: 'string', flag: true, required: true },
    { name: 'components', description: 'Affected <component>-<container> pairs, comma-separated', type: 'string', flag: true },
  ],
  args: z.object({
    title: z.string({ error: '--title is required' }).trim().min(1).max(256),
    details: details('--details'),
    start: z.string({ error: '--start is required' }),
    end: z.string({ error: '--end is required' }),
    components,
  }),
  permission: 'staff',
  async run(ctx, args) {
    const statusPage = requireStatusPage(ctx.deps);
    const now = ctx.deps.now();
    const start = timeArg('start', args.start, now);
    const end = timeArg('end', args.end, now, { at: start, name: 'the start' });
    const problem = checkWindowTimes({ start, end, now });
    if (problem) throw new UserError('usage', `${problem.charAt(0).toUpperCase()}${problem.slice(1)}. Nothing was posted.`);
    const { id } = await statusPage.scheduleMaintenance({ title: args.title, details: args.details, start, end, ...(args.components ? { components: args.components } : {}) });
    ctx.audit({ statusio: id });
    const ticked = await tickMaintenanceStep(ctx.deps, { title: args.title, startsAt: start }, 'statusio', ctx.actor.username, 'statusio schedule');
    return {
      text: `Scheduled status.io maintenance ${id} "${args.title}", ${formatTimestamp(start)} → ${formatTimestamp(end)}. Start it with /atmo statusio start ${id} (or /atmo maintenance start --statusio).${ticked}`,
      visibility: 'channel',
    };
  },
});

function controlCommand(verb: 'start' | 'update' | 'finish', summary: string, defaultDetails: string | null) {
  return defineCommand({
    name: `statusio ${verb}`,
    summary,
    usage: `/atmo statusio ${verb} <maintenance id> ${defaultDetails === null ? '<details>' : '[details]'}`,
    options: [
      { name: 'id', description: 'status.io maintenance id', type: 'string', required: true },
      { name: 'details', description: 'What subscribers read', type: 'string', required: defaultDetails === null, rest: true },
    ],
    args: z.object({ id: statusioId, details: defaultDetails === null ? details('the details') : details('the details').default(defaultDetails) }),
    permission: 'staff',
    async run(ctx, args) {
      const statusPage = requireStatusPage(ctx.deps);
      if (verb === 'start') await statusPage.startMaintenance(args.id, args.details);
      else if (verb === 'update') await statusPage.updateMaintenance(args.id, args.details);
      else await statusPage.finishMaintenance(args.id, args.details);
      ctx.audit({ statusio: args.id });
      const past = { start: 'started', update: 'updated', finish: 'finished' }[verb];
      return { text: `status.io maintenance ${args.id} ${past}; subscribers notified: "${args.details}"`, visibility: 'channel' };
    },
  });
}

export const statusioStartCommand = controlCommand('start', 'Start a scheduled status.io maintenance', 'The scheduled maintenance has begun.');
export const statusioUpdateCommand = controlCommand('update', 'Post an update on a status.io maintenance', null);
export const statusioFinishCommand = controlCommand('finish', 'Finish a status.io maintenance', DEFAULT_FINISH_DETAILS);
