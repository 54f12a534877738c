import type { Button, Reply, Section } from '../../../bot/chat/reply.js';
import type { RunbookItemRow, RunbookRow } from '../../../db/queries/release-runbooks.js';
import { calendarDayIn, formatCalendarDay } from './calendar-days.js';
import { SECTION_TITLES, SITE_NAMES, type ReleaseSite, type RunbookSection } from './build-checklist.js';

export const RUNBOOK_DONE_ACTION = 'rb:done';
/** Done buttons on the release message: the earliest open items; the rest are a command away. */
export const MAX_DONE_BUTTONS = 5;

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

function ownerName(runbook: RunbookRow, owner: string): string {
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

/** The release message: who, when, progress at a glance, the checklist by section, Done buttons. */
export function renderRunbook(runbook: RunbookRow, items: readonly RunbookItemRow[], now: Date): Reply {
  const today = calendarDayIn(now, runbook.timeZone);
  const progress = runbookProgress(items, today);
  const sites = runbook.sites.map((site) => SITE_NAMES[site as ReleaseSite] ?? site).join(' and ');
  const sections: Section[] = (Object.keys(SECTION_TITLES) as RunbookSection[])
    .map((section) => ({ section, rows: items.filter((item) => item.section === section) }))
    .filter(({ rows }) => rows.length > 0)
    .map(({ section, rows }) => ({ text: `*${SECTION_TITLES[section]}*\n${rows.map((item) => itemLine(runbook, item, today)).join('\n')}` }));
  const open = items.filter((item) => !item.doneAt).sort((a, b) => (a.dueOn === b.dueOn ? a.position - b.position : a.dueOn < b.dueOn ? -1 : 1));
  const buttons: Button[] = open.slice(0, MAX_DONE_BUTTONS).map((item) => ({ label: `Done: ${item.short}`, action: RUNBOOK_DONE_ACTION, value: String(item.id) }));
  const rest = open.length - buttons.length;
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
