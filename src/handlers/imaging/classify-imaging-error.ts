import { formatDuration } from '../format-time.js';
import { parseOldStatus, type ImagingStep, type ParsedOldStatus } from './summarize-old-status.js';
import type { Triage } from './triage.js';

// The staff guide's causes of an imaging error, recognised in old_status, and what to do about each.

// "If the MachineRequest has been in error for >12 hours, simply re-running the task can solve the
// problem": by then the celery workers holding the stale cache have turned over.
const CACHE_TURNOVER_HOURS = 12;

const MAX_INSTANCES = /Maximum number of instances exceeded/i;
// The stale-cache signatures the guide quotes, in the guide's spelling and as Python escapes them.
export const CACHE_SIGNATURES = [
  /(?:AttributeError\W{0,3})?\\?['"]NoneType\\?['"] object has no attribute \\?['"]id\\?['"]/i,
  /serverRef\b[^\n]{0,200}?does not exist/i,
];

const RESTART_IMAGING = [
  'Check in flower (<site>/flower, Tasks or Monitor) that the imaging queue is empty before restarting anything.',
  "Ask someone with server access to restart the imaging workers on the Atmosphere server: `ps auxww | grep 'celery worker' | grep 'imaging' | awk '{print $2}' | xargs kill -9`, then `service celeryd start`.",
];
const ESCALATE =
  'If the same error comes back, contact the Atmosphere team with the level two triage report, and tell the user not to delete the instance until the request is completed.';
export const ONE_AT_A_TIME = 'at most one request may be started/imaging at a time';

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

export function hoursBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / 3_600_000;
}

export function duration(hours: number): string {
  return formatDuration(hours * 3_600_000);
}

/** `in error 3 h`, `in error at least 3 h` (a lower bound), `in error, first seen just now`. */
export function timeIn(what: string, hours: number, known: boolean, joiner = ' '): string {
  if (known) return `${what}${joiner}${duration(hours)}`;
  return hours * 60 < 1 ? `${what}, first seen just now` : `${what}${joiner}at least ${duration(hours)}`;
}

/** Whether an `old_status` is an error by the guide's markers or the stale-cache signatures. */
export function hasErrorText(oldStatus: string | null): boolean {
  const parsed = parseOldStatus(oldStatus);
  return parsed.errorMarker !== null || firstMatch(CACHE_SIGNATURES, parsed.text) !== null;
}

export function resumeAt(step: ImagingStep | null): string {
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

export function errorTriage(f: ErrorFacts): Omit<Triage, 'step' | 'hoursInError' | 'sinceKnown'> {
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

export function firstMatch(patterns: RegExp[], text: string): string | null {
  for (const p of patterns) {
    const m = p.exec(text);
    if (m) return m[0];
  }
  return null;
}
