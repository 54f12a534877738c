import type { Button, Reply, Section } from '../../../bot/chat/reply.js';
import type { RunbookItemRow, RunbookRow } from '../../../db/queries/release-runbooks.js';
import { calendarDayIn, formatCalendarDay } from './calendar-days.js';
import { SECTION_TITLES, SITE_NAMES, type ReleaseSite, type RunbookCommand, type RunbookSection } from './build-checklist.js';

export const RUNBOOK_DONE_ACTION = 'rb:done';
/** Done buttons on the release message: the earliest open items; the rest are a command away. */
export const MAX_DONE_BUTTONS = 5;

/**
 * The button that does an item's work with the bot command named on it, beside its Done button. Each
 * carries the item's id; the action re-reads the runbook and runs the command for its release.
 */
export const RUNBOOK_RUN_ACTIONS: Partial<Record<RunbookCommand, { action: string; label: (tag: string) => string }>> = {
  'release prepare': { action: 'rb:prepare', label: (tag) => `Prepare ${tag}` },
  'release tag': { action: 'rb:tag', label: (tag) => `Tag ${tag}` },
  'release images': { action: 'rb:images', label: () => 'Check images' },
  'maintenance schedule': { action: 'rb:schedule', label: () => 'Schedule on status.io' },
  'maintenance start': { action: 'rb:start', label: () => 'Start maintenance' },
  'maintenance stop': { action: 'rb:stop', label: () => 'Stop maintenance' },
};

/**
 * Whether this bot can do an item itself: starting and stopping maintenance write this bot's own
 * databases, so only the deployment-day steps of its site (RELEASE_SITE) are its to run.
 */
export function botRunsItem(item: Pick<RunbookItemRow, 'command' | 'site'>, botSite: ReleaseSite): boolean {
  if (!item.command || !RUNBOOK_RUN_ACTIONS[item.command as RunbookCommand]) return false;
  return item.command === 'maintenance start' || item.command === 'maintenance stop' ? item.site === botSite : true;
}

/** An open item's buttons: the one that does it, when the bot can, then Done. */
export function itemButtons(tag: string, item: Pick<RunbookItemRow, 'id' | 'command' | 'short' | 'site'>, botSite: ReleaseSite): Button[] {
  const run = botRunsItem(item, botSite) ? RUNBOOK_RUN_ACTIONS[item.command as RunbookCommand] : undefined;
  const done: Button = { label: `Done: ${item.short}`, action: RUNBOOK_DONE_ACTION, value: String(item.id) };
  return run ? [{ label: run.label(tag), action: run.action, value: String(item.id), style: 'primary' }, done] : [done];
}

export const ROLE_DUTIES = {
  chief: 'owns the release, delegates, speaks for it to other teams and leadership, makes sure the driver has what they need',
  driver: 'does the technical deployment work, keeps the crew chief told of progress, setbacks and blockers',
} as const;

export type ItemState = 'done' | 'late' | 'due' | 'open';

/** Where an item stands on `today` (a calendar day at the site). */
export function itemState(item: Pick<RunbookItemRow, 'doneAt' | 'dueOn'>, today: string): ItemState {
  if (item.doneAt) return 'done';
  if (item.dueOn < today) return 'late';
  return item.dueOn === today ? 'due' : 'open';
}

export interface RunbookProgress {
  done: number;
  late: number;
  due: number;
  total: number;
}

export function runbookProgress(items: readonly RunbookItemRow[], today: string): RunbookProgress {
  const progress = { done: 0, late: 0, due: 0, total: items.length };
  for (const item of items) {
    const state = itemState(item, today);
    if (state !== 'open') progress[state] += 1;
  }
  return progress;
}

export function describeProgress(progress: RunbookProgress): string {
  const parts = [`${progress.done} of ${progress.total} done`];
  if (progress.late > 0) parts.push(`${progress.late} late`);
  if (progress.due > 0) parts.push(`${progress.due} due today`);
  return parts.join(' · ');
}

/** `crew chief kpatel` or `driver mdelgado`: a step's owner as the runbook names them. */
export function ownerName(runbook: RunbookRow, owner: string): string {
  return owner === 'chief' ? `crew chief ${runbook.chief}` : `driver ${runbook.driver}`;
}

function itemLine(runbook: RunbookRow, item: RunbookItemRow, today: string): string {
  const state = itemState(item, today);
  if (state === 'done') {
    const day = calendarDayIn(item.doneAt!, runbook.timeZone);
    const via = item.doneVia && item.doneVia !== 'button' && item.doneVia !== 'command' ? ` by running /atmo ${item.doneVia}` : '';
    return `✓ ${item.title}: done by ${item.doneBy} on ${formatCalendarDay(day)}${via}`;
  }
  const owner = ownerName(runbook, item.owner);
  if (state === 'late') return `⚠ ${item.title}: LATE, was due ${formatCalendarDay(item.dueOn)} (${owner})`;
  if (state === 'due') return `▶ ${item.title}: due today (${owner})`;
  return `☐ ${item.title}: due ${formatCalendarDay(item.dueOn)} (${owner})`;
}

/**
 * The release message: who, when, progress at a glance, the checklist by section, and for the
 * earliest open steps their buttons (the bot command that does a step, then Done).
 */
export function renderRunbook(runbook: RunbookRow, items: readonly RunbookItemRow[], now: Date, botSite: ReleaseSite): Reply {
  if (runbook.kind === 'hotfix') return renderHotfix(runbook, items, now);
  const today = calendarDayIn(now, runbook.timeZone);
  const progress = runbookProgress(items, today);
  const sites = runbook.sites.map((site) => SITE_NAMES[site as ReleaseSite] ?? site).join(' and ');
  const sections: Section[] = (Object.keys(SECTION_TITLES) as RunbookSection[])
    .map((section) => ({ section, rows: items.filter((item) => item.section === section) }))
    .filter(({ rows }) => rows.length > 0)
    .map(({ section, rows }) => ({ text: `*${SECTION_TITLES[section]}*\n${rows.map((item) => itemLine(runbook, item, today)).join('\n')}` }));
  const open = items.filter((item) => !item.doneAt).sort((a, b) => (a.dueOn === b.dueOn ? a.position - b.position : a.dueOn < b.dueOn ? -1 : 1));
  const next = open.slice(0, MAX_DONE_BUTTONS);
  const buttons: Button[] = next.flatMap((item) => itemButtons(runbook.tag, item, botSite));
  const rest = open.length - next.length;
  return {
    title: `Release ${runbook.tag}: deployment ${formatCalendarDay(runbook.deploymentDay)} (${sites})`,
    text: `Release ${runbook.tag}, deploying ${formatCalendarDay(runbook.deploymentDay)} on ${sites}: ${describeProgress(progress)}.`,
    fields: [
      { label: 'Crew chief', value: `${runbook.chief}: ${ROLE_DUTIES.chief}` },
      { label: 'Driver', value: `${runbook.driver}: ${ROLE_DUTIES.driver}` },
    ],
    sections,
    ...(buttons.length > 0 ? { buttons } : {}),
    footer:
      `Due days count working days (Monday to Friday) in ${runbook.timeZone}; today there is ${formatCalendarDay(today)}.` +
      (rest > 0 ? ` ${rest} more open: /atmo release done ${runbook.tag} <item> ticks any of them (/atmo release progress ${runbook.tag} lists their names).` : ''),
    visibility: 'channel',
    tone: progress.late > 0 ? 'warning' : progress.done === progress.total ? 'success' : 'info',
  };
}

/**
 * A hotfix's message: the image, who runs it, and its steps in order with the command of each open
 * one filled in, since a hotfix is done at a terminal from top to bottom.
 */
function renderHotfix(runbook: RunbookRow, items: readonly RunbookItemRow[], now: Date): Reply {
  const today = calendarDayIn(now, runbook.timeZone);
  const progress = runbookProgress(items, today);
  const image = runbook.tag.replace(/^hotfix /, '');
  const lines = items.map((item, index) => {
    const line = item.doneAt ? itemLine(runbook, item, today) : `${index + 1}. ${item.title}`;
    return !item.doneAt && item.hint ? `${line}\n    ${item.hint}` : line;
  });
  const open = items.filter((item) => !item.doneAt);
  const buttons: Button[] = open.slice(0, MAX_DONE_BUTTONS).map((item) => ({ label: `Done: ${item.short}`, action: RUNBOOK_DONE_ACTION, value: String(item.id) }));
  return {
    title: `Hotfix: ${image}`,
    text: `Hotfix to ${image}, begun ${formatCalendarDay(runbook.deploymentDay)} by ${runbook.driver}: ${describeProgress(progress)}.`,
    sections: [{ text: `*Hotfix steps*\n${lines.join('\n')}` }],
    ...(buttons.length > 0 ? { buttons } : {}),
    footer: open.length > 0 ? 'Each step has its Done button; the steps go in order, from the top.' : 'Every step is done.',
    visibility: 'channel',
    tone: progress.done === progress.total ? 'success' : progress.late > 0 ? 'warning' : 'info',
  };
}
