import type { Deps } from '../../../deps.js';
import { findRunbookByTag, listRunbooksDeployingOn, type RunbookRow } from '../../../db/queries/release-runbooks.js';
import { parseReleaseTag } from '../../../integrations/github/release-tag.js';
import { addCalendarDays, calendarDayIn } from './calendar-days.js';
import { tickStepOf } from './tick-runbook-item.js';

/** What the bot knows of a maintenance when it schedules, starts or ends one. */
export interface MaintenanceSubject {
  title: string;
  startsAt: Date;
}

/**
 * The release a maintenance is for: the runbook of the release tag its title names
 * (`2026-12-01 v37-6 deployment`), or else the one runbook whose deployment day is the day the
 * maintenance starts at the site. Null when neither finds exactly one: a tick on the wrong release
 * would be worse than none, and `release done` is there for the rest.
 */
export async function findRunbookForMaintenance(db: Deps['db'], maintenance: MaintenanceSubject): Promise<RunbookRow | null> {
  for (const word of maintenance.title.split(/[\s,;:()"']+/)) {
    if (!parseReleaseTag(word)) continue;
    const runbook = await findRunbookByTag(db, word);
    if (runbook) return runbook;
  }
  // Each runbook keeps the time zone it was planned in; the day in UTC is at most one day off it.
  const utcDay = maintenance.startsAt.toISOString().slice(0, 10);
  const candidates = await listRunbooksDeployingOn(db, [addCalendarDays(utcDay, -1), utcDay, addCalendarDays(utcDay, 1)]);
  const matching = candidates.filter((runbook) => calendarDayIn(maintenance.startsAt, runbook.timeZone) === runbook.deploymentDay);
  return matching.length === 1 ? matching[0]! : null;
}

/** The runbook steps a maintenance command does. */
export type MaintenanceStep = 'statusio' | 'maintenance-start' | 'maintenance-stop';

/**
 * Ticks the step a maintenance command just did in the runbook of its release, if there is one and
 * the step is open. status.io is CyVerse's step; starting and stopping maintenance are deployment-day
 * steps of the site whose databases this bot writes (RELEASE_SITE). Returns a sentence for the
 * reply ('' when nothing was ticked); never throws, since the maintenance itself is done by then.
 */
export async function tickMaintenanceStep(deps: Deps, maintenance: MaintenanceSubject, step: MaintenanceStep, who: string, via: string): Promise<string> {
  let runbook: RunbookRow | null;
  try {
    runbook = await findRunbookForMaintenance(deps.db, maintenance);
  } catch (error) {
    deps.log.warn({ err: error, step }, 'could not look up the release runbook of a maintenance');
    return '';
  }
  if (!runbook) return '';
  const key = step === 'statusio' ? 'cyverse-statusio' : `${deps.config.RELEASE_SITE}:${step}`;
  return tickStepOf(deps, runbook, key, who, via);
}
