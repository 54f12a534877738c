import { formatDuration } from '../format-time.js';
import { parseOldStatus, summarizeOldStatus, type ImagingStep, type ParsedOldStatus } from './summarize-old-status.js';

export type TriageCategory =
  | 'max-instances'
  | 'cache'
  | 'imaging-host'
  | 'stuck'
  | 'unknown-error'
  | 'in-progress'
  | 'pending'
  | 'done';

export interface Triage {
  category: TriageCategory;
  severity: 'ok' | 'warning' | 'error';
  /** The pipeline step the error happened in (from the `(...)` prefix), or where it is stuck. */
  step: ImagingStep | null;
  /** The exact substring (of old_status, or the status name) that decided the category. */
  evidence: string;
  summary: string;
  nextSteps: string[];
  resubmitAdvised: boolean;
  hoursInError?: number;
  /** False when the time in this state is only a lower bound: summaries say "at least". */
  sinceKnown: boolean;
}

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

// "If the MachineRequest has been in error for >12 hours, simply re-running the task can solve the
// problem": by then the celery workers holding the stale cache have turned over.
const CACHE_TURNOVER_HOURS = 12;

const MAX_INSTANCES = /Maximum number of instances exceeded/i;
// The stale-cache signatures the guide quotes, in the guide's spelling and as Python escapes them.
const CACHE_SIGNATURES = [
  /(?:AttributeError\W{0,3})?\\?['"]NoneType\\?['"] object has no attribute \\?['"]id\\?['"]/i,
  /serverRef\b[^\n]{0,200}?does not exist/i,
];

const RESTART_IMAGING = [
  'Check in flower (<site>/flower, Tasks or Monitor) that the imaging queue is empty before restarting anything.',
  "Ask someone with server access to restart the imaging workers on the Atmosphere server: `ps auxww | grep 'celery worker' | grep 'imaging' | awk '{print $2}' | xargs kill -9`, then `service celeryd start`.",
];
const ESCALATE =
  'If the same error comes back, contact the Atmosphere team with the level two triage report, and tell the user not to delete the instance until the request is completed.';
const ONE_AT_A_TIME = 'at most one request may be started/imaging at a time';

// The guide's common causes of an imaging-step failure, in the guide's order. `pattern` finds the
// cause in the error text; the first that matches is listed first. Filesystem errors are tested
// before nbd because mount errors name the /dev/nbd device they failed on.
const HOST_CAUSES: { pattern: RegExp | null; advice: string; testOrder: number }[] = [
  {
    pattern: /wrong fs type|bad (?:filesystem|fs) type|unknown filesystem type|bad superblock/i,
    advice: 'Bad filesystem type (rare, usually a new img file staff were trying out): check the image file.',
    testOrder: 0,
  },
  {
    pattern: /\/dev\/nbd\w*|\bnbd\b/i,
    advice: 'Missing nbd module (/dev/nbd is usually missing after a reboot): run `modprobe nbd max_part=16` on the imaging host.',
    testOrder: 3,
  },
  {
    pattern: /No space left on device|out of disk space|Errno 28\b|disk (?:is )?full/i,
    advice: 'Out of disk space: free space on the imaging host by cleaning out logs or the storage directory.',
    testOrder: 1,
  },
  {
    pattern: /Device or resource busy/i,
    advice: `More than one imaging task at once destabilises the host: ${ONE_AT_A_TIME}.`,
    testOrder: 2,
  },
];

function hoursBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / 3_600_000;
}

function duration(hours: number): string {
  return formatDuration(hours * 3_600_000);
}

/** `in error 3 h`, `in error at least 3 h` (a lower bound), `in error, first seen just now`. */
function timeIn(what: string, hours: number, known: boolean, joiner = ' '): string {
  if (known) return `${what}${joiner}${duration(hours)}`;
  return hours * 60 < 1 ? `${what}, first seen just now` : `${what}${joiner}at least ${duration(hours)}`;
}

/** Whether an `old_status` is an error by the guide's markers or the stale-cache signatures. */
export function hasErrorText(oldStatus: string | null): boolean {
  const parsed = parseOldStatus(oldStatus);
  return parsed.errorMarker !== null || firstMatch(CACHE_SIGNATURES, parsed.text) !== null;
}

function resumeAt(step: ImagingStep | null): string {
  // Atmosphere resumes processing and validating in place; anything else restarts from the snapshot.
  return step === 'processing' || step === 'validating' ? `it resumes at ${step}` : 'it restarts from the snapshot';
}

interface ErrorFacts {
  parsed: ParsedOldStatus;
  step: ImagingStep | null;
  hours: number;
  known: boolean;
  detail: string;
}

function errorTriage(f: ErrorFacts): Omit<Triage, 'step' | 'hoursInError' | 'sinceKnown'> {
  const { parsed, step, hours, known, detail } = f;
  const text = parsed.text;
  const inError = timeIn('in error', hours, known);

  const maxInstances = step === 'validating' ? MAX_INSTANCES.exec(text) : null;
  if (maxInstances) {
    return {
      category: 'max-instances',
      severity: 'error',
      evidence: maxInstances[0],
      summary: `admin tenant instance limit (${inError}): ${detail}`,
      nextSteps: [
        'Ask a system administrator to remove the instances from the atmosphere admin user and tenant (validation launches a test instance there).',
        `Then re-submit and approve the request; ${resumeAt(step)}.`,
      ],
      resubmitAdvised: false,
    };
  }

  const cache = step === 'processing' || step === 'validating' ? firstMatch(CACHE_SIGNATURES, text) : null;
  if (cache) {
    // A lower bound over 12 h is enough; under it, the workers may not have turned over yet.
    const turnedOver = hours > CACHE_TURNOVER_HOURS;
    const resubmit = `Re-submit and approve the request; ${resumeAt(step)}.`;
    const nextSteps = turnedOver
      ? [
          `In error for over ${CACHE_TURNOVER_HOURS} h, so the celery workers have turned over: ${resubmit}`,
          `If it fails the same way, restart the imaging service first. ${RESTART_IMAGING.join(' ')}`,
        ]
      : [
          ...RESTART_IMAGING,
          `Then ${resubmit.charAt(0).toLowerCase()}${resubmit.slice(1)}`,
          `Or wait: after ${CACHE_TURNOVER_HOURS} h in error the workers turn over and re-submitting alone can solve it.`,
        ];
    return {
      category: 'cache',
      severity: 'error',
      evidence: cache,
      summary: `imaging cache problem (${inError}): ${detail}`,
      nextSteps: [...nextSteps, ESCALATE],
      resubmitAdvised: turnedOver,
    };
  }

  if (step === 'imaging' || step === 'pending') {
    const found = [...HOST_CAUSES]
      .sort((a, b) => a.testOrder - b.testOrder)
      .map((c) => ({ cause: c, match: c.pattern?.exec(text)?.[0] ?? null }))
      .find((c) => c.match !== null);
    const causes = found ? [found.cause, ...HOST_CAUSES.filter((c) => c !== found.cause)] : HOST_CAUSES;
    const head = /^\(+[^()]*\)\s*(?:-\s*)?(?:ERROR|Exception|Error)?/i.exec(text)?.[0].trim();
    return {
      category: 'imaging-host',
      severity: 'error',
      evidence: found?.match ?? head ?? parsed.errorMarker ?? text,
      summary: `imaging host problem (${inError}): ${detail}`,
      nextSteps: [
        'The snapshot/imaging step failed on the imaging host (Chromogenic, outside Atmosphere): re-submitting will not help until the cause is fixed. Read the exception message:',
        ...causes.map((c) => c.advice),
        `Once fixed, re-submit and approve the request (${ONE_AT_A_TIME}). ${ESCALATE}`,
      ],
      resubmitAdvised: false,
    };
  }

  return {
    category: 'unknown-error',
    severity: 'error',
    evidence: parsed.errorMarker ?? text,
    summary: `unknown error (${inError}): ${detail}`,
    nextSteps: [
      'Read the exception, and find the task in flower (search by instance id or username) for the traceback and the worker.',
      ...(step === 'processing' || step === 'validating'
        ? [
            `The guide's first fix for ${step} errors is restarting the imaging service (stale cache on the celery nodes), then re-submitting and approving.`,
          ]
        : []),
      'If no fix in the staff guide applies, contact the Atmosphere team with the level two triage report (traceback, instance id, username and IP), and tell the user not to delete the instance until the request is completed.',
    ],
    resubmitAdvised: false,
  };
}

function firstMatch(patterns: RegExp[], text: string): string | null {
  for (const p of patterns) {
    const m = p.exec(text);
    if (m) return m[0];
  }
  return null;
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
