import type { AuditOutcome } from '../../db/queries/audit.js';
import type { Actor } from './command.js';

/** Everything the dispatcher learns about one event, written to the audit log at the end. */
export interface AuditDraft {
  kind: 'command' | 'action' | 'form';
  name: string;
  input: string;
  outcome: AuditOutcome;
  message: string | null;
  detail: Record<string, unknown>;
  actor: Actor | null;
}
