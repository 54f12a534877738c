import type { ImagingStep } from './summarize-old-status.js';

/** What the bot concludes about an imaging request, from the staff guide's troubleshooting rules. */

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
