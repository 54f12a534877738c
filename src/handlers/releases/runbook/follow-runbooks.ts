import type { MessageRef, Platform } from '../../../bot/chat/chat-event.js';
import type { Deps } from '../../../deps.js';
import { isUserError } from '../../../errors.js';
import {
  claimDueRunbookItems,
  listPostedRunbooksSince,
  listRunbookItems,
  markRunbookItemDone,
  releaseRunbookReminders,
  type RunbookItemRow,
  type RunbookRow,
} from '../../../db/queries/release-runbooks.js';
import { listChatLinksOf } from '../../../db/queries/chat-links.js';
import { addCalendarDays, calendarDayIn, formatCalendarDay } from './calendar-days.js';
import { allBuilt, checkReleaseImages, describeImageChecks, IMAGES_STEP } from './check-release-images.js';
import { itemState, ownerName } from './render-runbook.js';
import { redrawRunbook } from './tick-runbook-item.js';

/** How many days after its deployment day a runbook is still followed: late steps, the image check. */
export const FOLLOW_DAYS_AFTER_DEPLOYMENT = 7;
/** Who the runbook names for a step the bot itself found done. */
export const BOT_ACTOR = 'atmo-bot';

export interface FollowOutcome {
  /** Thread messages posted with due and late steps. */
  reminders: number;
  /** Runbooks whose Images built step the Docker Hub check ticked. */
  imagesTicked: number;
}

const threadOf = (runbook: RunbookRow): MessageRef => ({ platform: runbook.platform as Platform, channel: runbook.channel!, id: runbook.messageId! });


/** The reminder of one day: late steps first, then those due today, each with its owner and name. */
export function reminderText(runbook: RunbookRow, items: readonly RunbookItemRow[], today: string): string {
  const line = (item: RunbookItemRow) =>
    itemState(item, today) === 'late'
      ? `• ${item.title}: was due ${formatCalendarDay(item.dueOn)} (${ownerName(runbook, item.owner)}; name: ${item.key})`
      : `• ${item.title} (${ownerName(runbook, item.owner)}; name: ${item.key})`;
  const late = items.filter((item) => itemState(item, today) === 'late');
  const due = items.filter((item) => itemState(item, today) === 'due');
  const hotfix = runbook.kind === 'hotfix';
  const which = hotfix ? `The ${runbook.tag}` : `Release ${runbook.tag}`;
  const parts = [`${which}, ${formatCalendarDay(today)} in ${runbook.timeZone}: ${late.length > 0 ? 'steps are late' : 'steps are due today'}.`];
  if (late.length > 0) parts.push(hotfix ? 'Not done since the hotfix began:' : 'Late:', ...late.map(line));
  if (due.length > 0) parts.push('Due today:', ...due.map(line));
  parts.push(hotfix ? 'Tick each with its Done button on the hotfix message.' : `Tick each with its Done button on the release message, or /atmo release done ${runbook.tag} <name>.`);
  return parts.join('\n');
}

/**
 * One run of the release-runbook job over every posted runbook still being followed. For each: once
 * the tag is done and the Images built step is open, Docker Hub is asked for the images, and the step
 * is ticked (and said in the thread) when all are there; then the steps due or late today are claimed
 * for today's reminder and posted in the release thread, one message per runbook per day. A post that
 * fails gives its claim back for the next run. One runbook's failure does not stop the others.
 */
export async function followRunbooks(deps: Deps, now: Date): Promise<FollowOutcome> {
  const outcome: FollowOutcome = { reminders: 0, imagesTicked: 0 };
  // Each runbook counts days in its own zone; a day of margin covers any zone's offset from UTC.
  const since = addCalendarDays(now.toISOString().slice(0, 10), -FOLLOW_DAYS_AFTER_DEPLOYMENT - 1);
  for (const runbook of await listPostedRunbooksSince(deps.db, since)) {
    const today = calendarDayIn(now, runbook.timeZone);
    if (runbook.deploymentDay < addCalendarDays(today, -FOLLOW_DAYS_AFTER_DEPLOYMENT)) continue;
    const log = deps.log.child({ runbook: runbook.id, tag: runbook.tag });
    try {
      if (await checkImages(deps, runbook, now)) outcome.imagesTicked += 1;
      if (await remind(deps, runbook, today)) outcome.reminders += 1;
    } catch (error) {
      log.warn({ err: error }, 'could not follow the release runbook; the next run tries again');
    }
  }
  return outcome;
}

async function checkImages(deps: Deps, runbook: RunbookRow, now: Date): Promise<boolean> {
  if (!deps.images || deps.config.RELEASE_IMAGES.length === 0) return false;
  const items = await listRunbookItems(deps.db, runbook.id);
  const tagged = items.find((item) => item.key === 'tag')?.doneAt;
  const images = items.find((item) => item.key === IMAGES_STEP);
  if (!tagged || !images || images.doneAt) return false;
  let checks;
  try {
    checks = await checkReleaseImages(deps, runbook.tag);
  } catch (error) {
    if (isUserError(error)) return false;
    throw error;
  }
  if (!allBuilt(checks)) return false;
  // Of two runs that both found the images, one ticks the step and says so.
  if (!(await markRunbookItemDone(deps.db, images.id, { by: BOT_ACTOR, at: now, via: 'release images' }))) return false;
  await redrawRunbook(deps, runbook);
  try {
    await deps.chat.post(threadOf(runbook), { text: `Docker Hub has the ${runbook.tag} images, so "${images.short}" is ticked.\n${describeImageChecks(runbook.tag, checks)}`, visibility: 'channel', tone: 'success' }, { thread: threadOf(runbook) });
  } catch (error) {
    // The tick stands and the release message shows it; only the thread note is missing.
    deps.log.warn({ err: error, runbook: runbook.id }, 'the images step was ticked but the thread note could not be posted');
  }
  return true;
}

async function remind(deps: Deps, runbook: RunbookRow, today: string): Promise<boolean> {
  // A hotfix's steps are all due the day it begins, so it is reminded of only once that day is over.
  const through = runbook.kind === 'hotfix' ? addCalendarDays(today, -1) : today;
  const claimed = await claimDueRunbookItems(deps.db, runbook.id, today, through);
  if (claimed.length === 0) return false;
  const late = claimed.some((item) => itemState(item, today) === 'late');
  try {
    await deps.chat.post(threadOf(runbook), { text: reminderText(runbook, claimed, today), visibility: 'channel', tone: late ? 'warning' : 'info' }, { thread: threadOf(runbook) });
    deps.log.info({ runbook: runbook.id, steps: claimed.map((item) => item.key) }, 'release runbook reminder posted');
    await remindOwners(deps, runbook, claimed, today);
    return true;
  } catch (error) {
    deps.log.warn({ err: error, runbook: runbook.id }, 'could not post the release runbook reminder; will try again');
    await releaseRunbookReminders(deps.db, claimed.map((item) => item.id));
    return false;
  }
}

/**
 * Tells each owner of today's due or late steps in a direct message, on every platform their account
 * is linked on (`/atmo link`): the crew chief and the driver are Atmosphere usernames, and a link is
 * what ties one to a chat user. Sent after the thread reminder, with the same once-a-day claim behind
 * it; a message that cannot be delivered is logged and the thread reminder stands.
 */
async function remindOwners(deps: Deps, runbook: RunbookRow, claimed: readonly RunbookItemRow[], today: string): Promise<void> {
  const byOwner = new Map<string, RunbookItemRow[]>();
  for (const item of claimed) {
    const username = item.owner === 'chief' ? runbook.chief : runbook.driver;
    byOwner.set(username, [...(byOwner.get(username) ?? []), item]);
  }
  for (const [username, items] of byOwner) {
    const links = await listChatLinksOf(deps.db, username).catch((error: unknown) => {
      deps.log.warn({ err: error, username }, 'could not read the chat links of a runbook owner');
      return [];
    });
    const text = [
      `${username}, steps of release ${runbook.tag} that are yours are ${items.some((item) => itemState(item, today) === 'late') ? 'late or due' : 'due today'}:`,
      ...items.map((item) => `• ${item.title}${itemState(item, today) === 'late' ? ` (was due ${formatCalendarDay(item.dueOn)})` : ''}`),
      `The release message in ${runbook.platform}:${runbook.channel} has their Done buttons.`,
    ].join('\n');
    for (const link of links) {
      try {
        await deps.chat.post({ platform: link.platform as Platform, channel: link.chatUserId, direct: true }, { text, visibility: 'channel', tone: 'info' });
      } catch (error) {
        deps.log.warn({ err: error, username, platform: link.platform }, 'could not send a runbook owner their reminder');
      }
    }
  }
}
