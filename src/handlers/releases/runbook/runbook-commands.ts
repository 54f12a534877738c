import { z } from 'zod';
import { buttonRecordId } from '../../record-id.js';
import { defineAction, defineCommand } from '../../../bot/chat/command.js';
import { findRunbookByTag, getRunbookItem, listRunbookItems } from '../../../db/queries/release-runbooks.js';
import { UserError } from '../../../errors.js';
import { releaseTagArg, releaseTagOption } from '../release-setup.js';
import { calendarDayIn, formatCalendarDay } from './calendar-days.js';
import { planReleaseRunbook } from './plan-release-runbook.js';
import { itemState, renderRunbook, RUNBOOK_DONE_ACTION } from './render-runbook.js';
import { tickRunbookItem, type TickOutcome } from './tick-runbook-item.js';
import { releaseImagesReply } from './check-release-images.js';
import { startHotfix } from './start-hotfix.js';

const text = (what: string) => z.string({ error: `give ${what}` }).trim().min(1, `give ${what}`);

export const planReleaseCommand = defineCommand({
  name: 'release plan',
  summary: 'Plan a release: crew chief, driver, deployment day, and the process as a checklist in chat',
  usage: '/atmo release plan <tag vMM-N> --date <YYYY-MM-DD> --chief <username> --driver <username> [--sites cyverse,jetstream] [--channel slack:C…]',
  options: [
    releaseTagOption,
    { name: 'date', description: 'Deployment day, YYYY-MM-DD (in SITE_TIME_ZONE)', type: 'string', flag: true, required: true },
    { name: 'chief', description: 'Crew chief: Atmosphere username of a staff member', type: 'string', flag: true, required: true },
    { name: 'driver', description: 'Driver: Atmosphere username of a staff member', type: 'string', flag: true, required: true },
    { name: 'sites', description: 'cyverse, jetstream or both (default cyverse)', type: 'string', flag: true },
    { name: 'channel', description: 'Where the release message goes (default ANNOUNCE_CHANNEL)', type: 'string', flag: true },
  ],
  args: z.object({
    tag: releaseTagArg,
    date: text('the deployment day with --date YYYY-MM-DD'),
    chief: text('the crew chief with --chief <username>'),
    driver: text('the driver with --driver <username>'),
    sites: z.string().optional(),
    channel: z.string().optional(),
  }),
  permission: 'staff',
  run: (ctx, args) => planReleaseRunbook(ctx, args),
});

async function runbookOf(db: Parameters<typeof findRunbookByTag>[0], tag: string) {
  const runbook = await findRunbookByTag(db, tag);
  if (!runbook) throw new UserError('not_found', `Release ${tag} has no runbook; plan it with /atmo release plan ${tag} --date … --chief … --driver ….`);
  return runbook;
}

export const releasePlanStatusCommand = defineCommand({
  name: 'release progress',
  summary: 'Show a release runbook: what is done, due and late, and the names to tick steps by',
  usage: '/atmo release progress <tag vMM-N>',
  options: [releaseTagOption],
  args: z.object({ tag: releaseTagArg }),
  permission: 'linked',
  async run(ctx, args) {
    const runbook = await runbookOf(ctx.deps.db, args.tag);
    const items = await listRunbookItems(ctx.deps.db, runbook.id);
    const now = ctx.deps.now();
    const today = calendarDayIn(now, runbook.timeZone);
    const open = items.filter((item) => itemState(item, today) !== 'done');
    const reply = renderRunbook(runbook, items, now, ctx.deps.config.RELEASE_SITE);
    const steps = open.map((item) => `• ${item.key}: ${item.title} (due ${formatCalendarDay(item.dueOn)})${item.hint ? `\n    ${item.hint}` : ''}`);
    return {
      ...reply,
      text: `${reply.text}\nOpen steps, by the name /atmo release done ${args.tag} <name> takes:\n${steps.join('\n') || '(none: every step is done)'}`,
      visibility: 'ephemeral',
    };
  },
});

function tickReply(outcome: TickOutcome, who: string): { text: string } {
  const redraw = outcome.redrawn ? '' : ' The release message could not be redrawn; /atmo release progress shows the current state.';
  return { text: `${who} marked "${outcome.item.title}" of release ${outcome.runbook.tag} done.${redraw}` };
}

export const releasePlanDoneCommand = defineCommand({
  name: 'release done',
  summary: 'Tick a step of a release runbook by its name',
  usage: '/atmo release done <tag vMM-N> <step name>',
  options: [releaseTagOption, { name: 'step', description: 'The step name, as release progress lists it (e.g. changelog)', type: 'string', required: true }],
  args: z.object({ tag: releaseTagArg, step: text('the step name (release progress lists them)') }),
  permission: 'staff',
  async run(ctx, args) {
    const runbook = await runbookOf(ctx.deps.db, args.tag);
    const items = await listRunbookItems(ctx.deps.db, runbook.id);
    const item = items.find((row) => row.key === args.step.toLowerCase());
    if (!item) {
      throw new UserError('not_found', `Release ${args.tag} has no step "${args.step}". Its steps: ${items.map((row) => row.key).join(', ')}.`);
    }
    const outcome = await tickRunbookItem(ctx.deps, ctx.actor.username, item, 'command');
    ctx.audit({ runbook: runbook.id, item: item.key });
    return tickReply(outcome, ctx.actor.username);
  },
});

const itemId = buttonRecordId;

export const runbookDoneAction = defineAction({
  name: RUNBOOK_DONE_ACTION,
  value: itemId,
  permission: 'staff',
  async run(ctx, id) {
    const item = await getRunbookItem(ctx.deps.db, id);
    if (!item) throw new UserError('not_found', 'That runbook step no longer exists; /atmo release progress shows the runbook.');
    const outcome = await tickRunbookItem(ctx.deps, ctx.actor.username, item, 'button');
    ctx.audit({ runbook: item.runbookId, item: item.key });
    return tickReply(outcome, ctx.actor.username);
  },
});

export const releaseImagesCommand = defineCommand({
  name: 'release images',
  summary: "Check Docker Hub for a release's images (RELEASE_IMAGES) and tick the runbook's Images built step when all are there",
  usage: '/atmo release images <tag vMM-N>',
  options: [releaseTagOption],
  args: z.object({ tag: releaseTagArg }),
  permission: 'staff',
  run: (ctx, args) => releaseImagesReply(ctx, args.tag),
});

export const releaseHotfixCommand = defineCommand({
  name: 'release hotfix',
  summary: 'Start a hotfix: the hotfix procedure as a checklist message with its commands filled in',
  usage: '/atmo release hotfix <image tag> [--image cyverse/atmosphere] [--channel slack:C…]',
  options: [
    { name: 'tag', description: 'The new image tag, e.g. v37-6-hotfix1', type: 'string', required: true },
    { name: 'image', description: 'The image (default cyverse/atmosphere)', type: 'string', flag: true },
    { name: 'channel', description: 'Where the checklist goes (default ANNOUNCE_CHANNEL)', type: 'string', flag: true },
  ],
  args: z.object({ tag: text('the new image tag, e.g. /atmo release hotfix v37-6-hotfix1'), image: z.string().optional(), channel: z.string().optional() }),
  permission: 'staff',
  run: (ctx, args) => startHotfix(ctx, args),
});
