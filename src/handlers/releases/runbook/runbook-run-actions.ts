import { z } from 'zod';
import type { ActionEvent } from '../../../bot/chat/chat-event.js';
import { defineAction, defineFormAction, type ActingContext } from '../../../bot/chat/command.js';
import type { FormSpec } from '../../../bot/chat/reply.js';
import { getRunbook, getRunbookItem, type RunbookItemRow, type RunbookRow } from '../../../db/queries/release-runbooks.js';
import { UserError } from '../../../errors.js';
import { message as maintenanceMessage, requestMaintenanceStart, requestMaintenanceStop, title as maintenanceTitle } from '../../maintenance/maintenance-commands.js';
import { scheduleMaintenanceWindow } from '../../maintenance/schedule-commands.js';
import { buttonRecordId } from '../../record-id.js';
import { planReleaseTag } from '../plan-release-tag.js';
import { prepareRelease } from '../prepare-release.js';
import { releaseImagesReply } from './check-release-images.js';
import { SITE_NAMES, type RunbookCommand } from './build-checklist.js';
import { calendarDayIn, formatCalendarDay } from './calendar-days.js';
import { botRunsItem, RUNBOOK_RUN_ACTIONS } from './render-runbook.js';

type Ctx = ActingContext<ActionEvent>;

/**
 * The step a run button names and its runbook, re-read at click time. Refused when the step is gone,
 * is not one this button runs (a value moved to another button), or is already done: its work was
 * done by someone, and running it again from an old message is not what the click meant.
 */
async function openStep(ctx: Ctx, id: number, command: RunbookCommand): Promise<{ runbook: RunbookRow; item: RunbookItemRow }> {
  const item = await getRunbookItem(ctx.deps.db, id);
  const runbook = item ? await getRunbook(ctx.deps.db, item.runbookId) : null;
  if (!item || !runbook) throw new UserError('not_found', 'That runbook step no longer exists; /atmo release progress shows the runbook.');
  if (item.command !== command) throw new UserError('invalid_value', `That button does not belong to the step "${item.title}"; nothing was run.`);
  if (!botRunsItem(item, ctx.deps.config.RELEASE_SITE)) {
    throw new UserError(
      'invalid_value',
      `This bot writes maintenance to ${SITE_NAMES[ctx.deps.config.RELEASE_SITE]}'s databases, so it cannot do "${item.title}"; do it on that site's servers (manage.py maintenance) and click Done.`,
    );
  }
  if (item.doneAt) {
    const day = formatCalendarDay(calendarDayIn(item.doneAt, runbook.timeZone));
    throw new UserError('already_decided', `"${item.title}" of release ${runbook.tag} was already done by ${item.doneBy} on ${day}; nothing was run. To do it again anyway, type /atmo ${command}.`);
  }
  return { runbook, item };
}

/** The maintenance title the release process uses: `2019-06-16 v36-1 deployment`. */
const deploymentTitle = (runbook: RunbookRow) => `${runbook.deploymentDay} ${runbook.tag} deployment`;

const blankIsUnset = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

function runAction(command: 'release prepare' | 'release tag' | 'release images' | 'maintenance stop', run: (ctx: Ctx, runbook: RunbookRow) => ReturnType<typeof prepareRelease>) {
  return defineAction({
    name: RUNBOOK_RUN_ACTIONS[command]!.action,
    value: buttonRecordId,
    permission: 'staff',
    async run(ctx, id) {
      const { runbook, item } = await openStep(ctx, id, command);
      ctx.audit({ runbook: runbook.id, item: item.key, command });
      return run(ctx, runbook);
    },
  });
}

export const runbookPrepareAction = runAction('release prepare', (ctx, runbook) => prepareRelease(ctx, runbook.tag));
export const runbookTagAction = runAction('release tag', (ctx, runbook) => planReleaseTag(ctx, runbook.tag));
export const runbookStopAction = runAction('maintenance stop', (ctx) => requestMaintenanceStop(ctx, ''));
export const runbookImagesAction = runAction('release images', (ctx, runbook) => releaseImagesReply(ctx, runbook.tag));

const scheduleForm: FormSpec = {
  title: 'Schedule the maintenance',
  submitLabel: 'Schedule',
  fields: [
    { name: 'start', label: 'Start (UTC, or ISO with an offset)', kind: 'text', required: true, placeholder: '2026-12-01 16:00', maxLength: 40 },
    { name: 'end', label: 'End (UTC, or ISO with an offset)', kind: 'text', required: true, placeholder: '2026-12-01 23:00', maxLength: 40 },
    { name: 'title', label: 'Title (blank: "<day> <tag> deployment")', kind: 'text', required: false, maxLength: 256 },
    { name: 'message', label: 'Message users see', kind: 'multiline', required: true, placeholder: 'Atmosphere is down for a Scheduled Maintenance, today between 9am and 4pm MST.', maxLength: 2000 },
  ],
};

export const runbookScheduleAction = defineFormAction({
  name: RUNBOOK_RUN_ACTIONS['maintenance schedule']!.action,
  value: buttonRecordId,
  permission: 'staff',
  form: scheduleForm,
  formValues: z.object({
    start: z.string({ error: 'give the start' }).trim().min(1, 'give the start'),
    end: z.string({ error: 'give the end' }).trim().min(1, 'give the end'),
    title: blankIsUnset.pipe(maintenanceTitle.optional()),
    message: maintenanceMessage,
  }),
  precheck: async (ctx, id) => void (await openStep(ctx, id, 'maintenance schedule')),
  async run(ctx, id, form) {
    const { runbook, item } = await openStep(ctx, id, 'maintenance schedule');
    ctx.audit({ runbook: runbook.id, item: item.key, command: 'maintenance schedule' });
    return scheduleMaintenanceWindow(ctx, { start: form.start, end: form.end, title: form.title ?? deploymentTitle(runbook), message: form.message, statusio: true });
  },
});

const startForm: FormSpec = {
  title: 'Start maintenance',
  submitLabel: 'Continue',
  fields: [
    { name: 'title', label: 'Title (blank: the window due now)', kind: 'text', required: false, maxLength: 256 },
    { name: 'message', label: 'Message users see (blank: the window due now)', kind: 'multiline', required: false, maxLength: 2000 },
    { name: 'until', label: 'Planned end (blank: the window\'s end)', kind: 'text', required: false, placeholder: '+4h or 2026-12-01 23:00', maxLength: 40 },
  ],
};

export const runbookStartAction = defineFormAction({
  name: RUNBOOK_RUN_ACTIONS['maintenance start']!.action,
  value: buttonRecordId,
  permission: 'staff',
  form: startForm,
  formValues: z.object({
    title: blankIsUnset.pipe(maintenanceTitle.optional()),
    message: blankIsUnset.pipe(maintenanceMessage.optional()),
    until: blankIsUnset,
  }),
  precheck: async (ctx, id) => void (await openStep(ctx, id, 'maintenance start')),
  async run(ctx, id, form) {
    const { runbook, item } = await openStep(ctx, id, 'maintenance start');
    ctx.audit({ runbook: runbook.id, item: item.key, command: 'maintenance start' });
    // Like the command: the confirmation that follows shows exactly what will change.
    return requestMaintenanceStart(ctx, { ...form, statusio: false, fallbackTitle: deploymentTitle(runbook) });
  },
});
