import type { InstanceStep, InstanceTriage } from './classify-instance.js';

/** The API action key (`InstanceAction.key`) each step needs listed as valid. */
export const STEP_KEYS: Record<InstanceStep, string> = { redeploy: 'Redeploy', 'reboot-soft': 'Reboot', 'reboot-hard': 'Hard Reboot' };
/** The bot's history action (`request_event.action`) each step records. */
export const STEP_EVENTS: Record<InstanceStep, string> = { redeploy: 'redeployed', 'reboot-soft': 'rebooted-soft', 'reboot-hard': 'rebooted-hard' };
export const STEP_LABELS: Record<InstanceStep, string> = { redeploy: 'Redeploy', 'reboot-soft': 'Soft reboot', 'reboot-hard': 'Hard reboot' };

export interface StepChoice {
  /** The step to offer now, or null when the guide's actions are used up (or none apply). */
  next: InstanceStep | null;
  /** Steps already tried in this episode, in the guide's order. */
  tried: InstanceStep[];
  /** Guide steps skipped because the API does not list them for the instance now. */
  unavailable: InstanceStep[];
}

/**
 * The guide's next step: the first of the category's steps not yet tried since the instance was last
 * green-light active (`episodeStart`), among those the API lists as valid. `valid` is null when the
 * API could not be asked; then nothing is offered.
 */
export function nextInstanceStep(
  triage: Pick<InstanceTriage, 'steps'>,
  events: readonly { action: string; at: Date }[],
  episodeStart: Date,
  valid: readonly string[] | null,
): StepChoice {
  const done = new Set(events.filter((event) => event.at.getTime() >= episodeStart.getTime()).map((event) => event.action));
  const tried = triage.steps.filter((step) => done.has(STEP_EVENTS[step]));
  const untried = triage.steps.filter((step) => !done.has(STEP_EVENTS[step]));
  if (valid === null) return { next: null, tried, unavailable: [] };
  const unavailable = untried.filter((step) => !valid.includes(STEP_KEYS[step]));
  const next = untried.find((step) => valid.includes(STEP_KEYS[step])) ?? null;
  return { next, tried, unavailable: next ? unavailable.filter((step) => untried.indexOf(step) < untried.indexOf(next)) : unavailable };
}

/** When the current trouble began: the end of the last green-light active row, or the launch. */
export function episodeStart(history: readonly { status: string; activity: string | null; endDate: Date | null; startDate: Date }[], launched: Date): Date {
  let start = launched;
  for (const row of history) {
    if ((row.status === 'active' || row.status === 'running') && !row.activity && row.endDate) start = row.endDate;
  }
  return start;
}
