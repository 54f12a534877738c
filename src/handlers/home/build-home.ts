import { z } from 'zod';
import { defineCommand, type HandlerContext } from '../../bot/chat/command.js';
import type { Button, Reply, Section } from '../../bot/chat/reply.js';
import { countOpenAlertThreads } from '../../db/queries/alert-threads.js';
import { listRecentDecisionsBy } from '../../db/queries/decisions.js';
import { listImagingQueue } from '../../db/queries/imaging-queue.js';
import { listMaintenanceWindows } from '../../db/queries/maintenance-windows.js';
import { listPendingResourceRequests } from '../../db/queries/resource-requests.js';
import { formatAgo, formatAge, formatTimestamp } from '../format-time.js';
import { findImagingOccupants } from '../imaging/find-imaging-occupant.js';
import { loadMaintenanceState } from '../maintenance/maintenance-state.js';

/** How many of the oldest pending requests the dashboard offers buttons for. */
export const HOME_OLDEST_REQUESTS = 5;
/** How many of the viewer's own decisions it lists. */
export const HOME_RECENT_DECISIONS = 5;

const SUBJECTS: Record<string, string> = { resource_request: 'resource request', machine_request: 'imaging request', instance: 'instance' };

/**
 * The staff dashboard (Slack's Home tab, or `/atmo home` anywhere): pending resource requests with
 * the oldest and their buttons, the imaging slot and queue, open alert threads, maintenance now and
 * the next window, and the viewer's own recent decisions. Every part is bounded, so the view stays
 * within Slack's limits (100 blocks, 3,000 characters a section) whatever the database holds.
 */
export async function buildHome(ctx: HandlerContext): Promise<Reply> {
  const { deps } = ctx;
  const actor = ctx.actor;
  if (!actor || !actor.isStaff) {
    return {
      title: 'atmo-bot',
      text: actor
        ? `You act as ${actor.username}, who is not Atmosphere staff, so there is no dashboard for you. /atmo help lists what you can run.`
        : 'You are not linked to an Atmosphere account, so there is no dashboard for you. /atmo whoami says how to get linked.',
      visibility: 'ephemeral',
    };
  }
  const now = deps.now();
  const [pending, occupants, queue, alerts, maintenance, windows, mine] = await Promise.all([
    listPendingResourceRequests(deps.db, { limit: HOME_OLDEST_REQUESTS }),
    findImagingOccupants(deps),
    listImagingQueue(deps.db),
    countOpenAlertThreads(deps.db),
    loadMaintenanceState(deps, now),
    listMaintenanceWindows(deps.db, ['scheduled']),
    listRecentDecisionsBy(deps.db, actor.username, HOME_RECENT_DECISIONS),
  ]);

  const sections: Section[] = [];
  const oldest = pending.rows[0];
  sections.push({
    text:
      pending.total === 0
        ? '*Resource requests*\nNone pending.'
        : `*Resource requests*\n${pending.total} pending; the oldest, #${oldest!.id} from ${oldest!.requester.username}, waits ${formatAge(oldest!.startDate, now)}. /atmo requests lists them all.`,
  });
  for (const row of pending.rows) {
    const buttons: Button[] = [
      { label: `Approve #${row.id}`, action: 'rr:approve', value: String(row.id), style: 'primary' },
      { label: `Deny #${row.id}`, action: 'rr:deny', value: String(row.id), style: 'danger' },
    ];
    sections.push({ text: `#${row.id} ${row.requester.username}, ${formatAgo(row.startDate, now)}: ${row.request.slice(0, 200)}`, buttons });
  }

  const slot = occupants.length === 0 ? 'The imaging slot is free.' : `Imaging now: ${occupants.map((o) => `#${o.request.id} "${o.request.newApplicationName}" (${o.request.status})`).join('; ')}.`;
  sections.push({ text: `*Imaging*\n${slot} ${queue.length === 0 ? 'Nothing is queued.' : `${queue.length} queued; /atmo imaging queue shows them.`}` });

  const open = Object.entries(alerts).filter(([, n]) => n > 0);
  sections.push({
    text: `*Open alerts*\n${open.length === 0 ? 'None.' : open.map(([subject, n]) => `${n} ${SUBJECTS[subject] ?? subject}${n === 1 ? '' : 's'}`).join(', ')}${alerts['machine_request'] ? ' · /atmo imaging errored' : ''}${alerts['instance'] ? ' · /atmo instances stuck' : ''}`,
  });

  const on = [...maintenance.atmosphere.map((record) => `Atmosphere: "${record.title}"`), ...(maintenance.troposphere ?? []).map((record) => `Troposphere: "${record.title}"`)];
  const next = windows.filter((window) => window.startsAt > now).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())[0];
  sections.push({
    text: `*Maintenance*\n${on.length > 0 ? `On now: ${on.join('; ')}.` : 'Not in maintenance.'} ${next ? `Next window: "${next.title}" at ${formatTimestamp(next.startsAt)}.` : 'No window is scheduled.'}`,
  });

  sections.push({
    text: `*Your recent decisions*\n${
      mine.length === 0
        ? 'None yet.'
        : mine.map((row) => `• ${row.action} ${SUBJECTS[row.subject] ?? row.subject} #${row.recordId}, ${formatAgo(row.decidedAt, now)} (${row.state === 'done' ? 'done' : row.state.replace('_', ' ')})`).join('\n')
    }`,
  });

  return {
    title: 'atmo-bot: the staff dashboard',
    text: `${actor.username}, as of ${formatTimestamp(now)}.`,
    sections,
    visibility: 'ephemeral',
  };
}

export const homeCommand = defineCommand({
  name: 'home',
  summary: 'The staff dashboard: pending requests, the imaging slot, open alerts, maintenance, your recent decisions',
  usage: '/atmo home',
  options: [],
  args: z.object({}),
  permission: 'anyone',
  run: (ctx) => buildHome(ctx),
});
