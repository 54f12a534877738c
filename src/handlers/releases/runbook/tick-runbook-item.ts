import type { Deps } from '../../../deps.js';
import type { MessageRef, Platform } from '../../../bot/chat/chat-event.js';
import { findRunbookByTag, getRunbook, listRunbookItems, markRunbookItemDone, type RunbookItemRow, type RunbookRow } from '../../../db/queries/release-runbooks.js';
import { UserError } from '../../../errors.js';
import { calendarDayIn, formatCalendarDay } from './calendar-days.js';
import { renderRunbook } from './render-runbook.js';

export interface TickOutcome {
  runbook: RunbookRow;
  item: RunbookItemRow;
  /** False when the release message could not be edited (the tick itself stands). */
  redrawn: boolean;
}

/** Edits the release message to show the runbook as it is now. False when that failed; logged. */
export async function redrawRunbook(deps: Deps, runbook: RunbookRow): Promise<boolean> {
  if (!runbook.platform || !runbook.channel || !runbook.messageId) return false;
  const message: MessageRef = { platform: runbook.platform as Platform, channel: runbook.channel, id: runbook.messageId };
  try {
    await deps.chat.update(message, renderRunbook(runbook, await listRunbookItems(deps.db, runbook.id), deps.now(), deps.config.RELEASE_SITE));
    return true;
  } catch (error) {
    deps.log.warn({ err: error, runbook: runbook.id }, 'the release message could not be redrawn');
    return false;
  }
}

/**
 * Marks one runbook item done by `who`, once: a second click, at once or later, is told who was first
 * and changes nothing. Then the release message is redrawn.
 */
export async function tickRunbookItem(deps: Deps, who: string, item: RunbookItemRow, via: string): Promise<TickOutcome> {
  const runbook = await getRunbook(deps.db, item.runbookId);
  if (!runbook) throw new UserError('not_found', 'That release runbook no longer exists.');
  const done = await markRunbookItemDone(deps.db, item.id, { by: who, at: deps.now(), via });
  if (!done) {
    const first = (await listRunbookItems(deps.db, runbook.id)).find((row) => row.id === item.id);
    const when = first?.doneAt ? formatCalendarDay(calendarDayIn(first.doneAt, runbook.timeZone)) : 'earlier';
    throw new UserError('already_decided', `"${item.title}" of release ${runbook.tag} was already marked done by ${first?.doneBy ?? 'someone'} on ${when}; nothing more was done.`);
  }
  return { runbook, item: done, redrawn: await redrawRunbook(deps, runbook) };
}

/**
 * After a bot command did a runbook step's work for `tag` (`release prepare`, `release tag`), ticks
 * that step if the release has a runbook and the step is open. The command's own work is done by
 * then, so a failure here is logged and said in one sentence, never raised.
 */
export async function tickStepDoneByCommand(deps: Deps, tag: string, key: string, who: string, command: string): Promise<string> {
  let runbook: RunbookRow | null;
  try {
    runbook = await findRunbookByTag(deps.db, tag);
  } catch (error) {
    deps.log.warn({ err: error, tag, key }, 'could not look up the release runbook');
    return ` The ${tag} runbook step "${key}" could not be ticked; tick it with /atmo release done ${tag} ${key}.`;
  }
  return runbook ? tickStepOf(deps, runbook, key, who, command) : '';
}

/**
 * Ticks step `key` of `runbook` for `who`, done by bot command `via`, when the runbook has that step
 * and it is open, and redraws the release message. Returns a sentence for the command's reply; a
 * failure is logged and said, never raised.
 */
export async function tickStepOf(deps: Deps, runbook: RunbookRow, key: string, who: string, via: string): Promise<string> {
  try {
    const item = (await listRunbookItems(deps.db, runbook.id)).find((row) => row.key === key);
    if (!item || item.doneAt) return '';
    const done = await markRunbookItemDone(deps.db, item.id, { by: who, at: deps.now(), via });
    if (!done) return '';
    await redrawRunbook(deps, runbook);
    return ` Ticked "${item.short}" in the ${runbook.tag} runbook.`;
  } catch (error) {
    deps.log.warn({ err: error, tag: runbook.tag, key }, 'could not tick the release runbook step');
    return ` The ${runbook.tag} runbook step "${key}" could not be ticked; tick it with /atmo release done ${runbook.tag} ${key}.`;
  }
}
