import { parseOldStatus, summarizeOldStatus } from './summarize-old-status.js';
import type { Triage } from './triage.js';
import { CACHE_SIGNATURES, ONE_AT_A_TIME, duration, errorTriage, firstMatch, hoursBetween, resumeAt, timeIn } from './classify-imaging-error.js';

export type { Triage, TriageCategory } from './triage.js';

export interface ClassifyMachineRequestInput {
  /** status_type.name */
  status: string;
  oldStatus: string | null;
  /** Since when the request has been in this state (status-since.ts). */
  statusSince: Date;
  /** False when `statusSince` is only a lower bound (the bot first saw it already in this state). */
  sinceKnown?: boolean;
  now: Date;
  stuckAfterMinutes: number;
}

/** Classifies an imaging request by the staff guide's troubleshooting rules. Pure: time comes in `now`. */
export function classifyMachineRequest(input: ClassifyMachineRequestInput): Triage {
  const status = input.status.trim().toLowerCase();
  const parsed = parseOldStatus(input.oldStatus);
  const hours = hoursBetween(input.statusSince, input.now);
  const known = input.sinceKnown ?? true;
  const cacheSignature = firstMatch(CACHE_SIGNATURES, parsed.text);
  const isError = parsed.errorMarker !== null || cacheSignature !== null;
  const detail = summarizeOldStatus(input.oldStatus, 100);
  // The error task leaves the status where it was, so a processing/validating status names the step
  // even when the text has no "(...)" prefix.
  const step = parsed.step ?? (status === 'processing' || status === 'validating' ? status : null);

  if (status === 'completed' || status === 'denied' || status === 'closed' || status === 'rejected') {
    // Resolved; an error text left from an earlier run no longer needs anyone.
    return { category: 'done', severity: 'ok', step: null, evidence: status, summary: status, nextSteps: [], resubmitAdvised: false, sinceKnown: known };
  }

  if (status === 'pending') {
    if (!isError) {
      return {
        category: 'pending',
        severity: 'ok',
        step: null,
        evidence: status,
        summary: 'waiting for staff approval',
        nextSteps: [`Approve or deny it (${ONE_AT_A_TIME}).`],
        resubmitAdvised: false,
        sinceKnown: known,
      };
    }
    // Re-submit sets pending and keeps the error text until approval resumes from its prefix.
    const previous = errorTriage({ parsed, step, hours, known, detail });
    return {
      category: 'pending',
      severity: 'warning',
      step,
      evidence: previous.evidence,
      summary: `re-submitted after ${previous.summary.replace(/ \(in error[^)]*\)/, '')}`,
      nextSteps: [
        `Before approving, fix the cause of the previous error (${previous.category}):`,
        // It is already re-submitted: drop the steps that say to re-submit.
        ...previous.nextSteps.filter((s) => !/re-submit/i.test(s)),
        `Approve it when ready; ${resumeAt(step)} (${ONE_AT_A_TIME}).`,
      ],
      resubmitAdvised: false,
      sinceKnown: known,
    };
  }

  if (isError) {
    return { ...errorTriage({ parsed, step, hours, known, detail }), step, hoursInError: hours, sinceKnown: known };
  }

  if (status === 'failed') {
    // Atmosphere's set_request_as_failed has no caller, so nothing will move a failed request on:
    // it is over as far as the pipeline goes (done, no stuck timer). But BaseRequest counts it as
    // unresolved and MachineRequest.is_active lets it block a new request for the same instance,
    // so staff still have to close it or re-submit it: a warning, not ok.
    return {
      category: 'done',
      severity: 'warning',
      step: null,
      evidence: status,
      summary: 'failed (no error text recorded)',
      nextSteps: ['Nothing will run it again: close it, or re-submit and approve it to retry.'],
      resubmitAdvised: false,
      sinceKnown: known,
    };
  }

  const minutes = hours * 60;
  if (status === 'started' && minutes > input.stuckAfterMinutes) {
    return {
      category: 'stuck',
      severity: 'warning',
      step: parsed.step,
      evidence: status,
      summary: `started ${known ? '' : 'at least '}${duration(hours)} ago with no progress or error recorded`,
      nextSteps: [
        'The first imaging task has no error handler, so a failure there leaves the request in started without an error.',
        'Imaging a 10 GB disk takes 20-40 min (longer for larger disks): check in flower whether the imaging task for this instance is still running or failed.',
        `If nothing is running, re-submit and approve to restart it (${ONE_AT_A_TIME}).`,
        'If it sticks again, contact the Atmosphere team with the level two triage report.',
      ],
      resubmitAdvised: false,
      sinceKnown: known,
    };
  }

  const recognised = status === 'approved' || status === 'started' || status === 'processing' || status === 'validating';
  return {
    category: 'in-progress',
    // An unrecognised status name (legacy or a new Atmosphere release) is not an error, but worth a look.
    severity: recognised ? 'ok' : 'warning',
    step: null,
    evidence: status,
    summary: recognised ? timeIn(status, hours, known, ' for ') : `unrecognised status "${input.status}"`,
    nextSteps: recognised ? [] : ['Check the request in the Atmosphere admin pages.'],
    resubmitAdvised: false,
    sinceKnown: known,
  };
}
