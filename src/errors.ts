/**
 * The three kinds of failure the bot knows about. Only the chat core turns them into chat replies:
 * a UserError shows its text, an IntegrationError a sentence the renderer writes from its facts
 * (`src/bot/chat/render-error.ts`), anything else is a bug.
 */

export type UserErrorCode =
  | 'usage'
  | 'not_linked'
  | 'forbidden'
  | 'not_found'
  | 'already_decided'
  | 'self_approval'
  | 'ambiguous_link'
  | 'invalid_value'
  | 'conflict'
  | 'maintenance'
  | 'unavailable';

/**
 * A mistake or refusal that is safe to show to the person who caused it. `field` names the form field
 * the mistake is in, so a form can say it on that field and ask for that field again.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly field: string | undefined;
  constructor(
    readonly code: UserErrorCode,
    message: string,
    options?: { cause?: unknown; field?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.field = options?.field;
  }
}

export type ServiceName = 'atmosphere' | 'slack' | 'discord' | 'console' | 'github' | 'statusio' | 'dockerhub' | 'openstack' | 'flower' | 'argo' | 'database' | 'redis';

/** The facts an integration knows about a failed call, and at most one piece of advice. */
export interface IntegrationFacts {
  /** What the bot asked for, for the log: `PATCH /admin/resource_requests/12`, `creating release v1 on org/repo`. */
  operation?: string;
  /** The HTTP status when there was an answer. */
  status?: number;
  /**
   * What kind of failure this is, where the status alone does not say it: `timeout`, `unreachable`,
   * `malformed` (an answer the bot cannot read), `action_failed` (Atmosphere's 403 for an instance
   * action that failed while running, not a permission), `rate_limited`, or the service's own code.
   */
  code?: string;
  /** What the service said, already stripped of anything secret; shown to staff. */
  detail?: string;
  /** One thing to do about it that only the integration knows (a policy, a setting); the renderer says it last. */
  hint?: string;
  /**
   * True when the service is known to have refused before changing anything (a maintenance 503),
   * although its status alone would leave that open; a retried change then cannot be a second one.
   */
  notApplied?: boolean;
  /** True when nobody knows whether a requested change was made (no clear answer). */
  unclear?: boolean;
  cause?: unknown;
}

/**
 * A call to another service failed. The message says what happened, in facts, for the log; the
 * sentence people read is written by the chat core's renderer from the facts, the hint and the notes.
 */
export class IntegrationError extends Error {
  override readonly name = 'IntegrationError';
  readonly service: ServiceName;
  readonly operation: string | undefined;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly notApplied: boolean;
  readonly unclear: boolean;
  /** What the handlers that saw it added (what was kept, what to check), in the order they added it. */
  readonly notes: readonly string[];
  constructor(service: ServiceName, message: string, facts: IntegrationFacts = {}, notes: readonly string[] = []) {
    super(message, { cause: facts.cause });
    this.service = service;
    this.operation = facts.operation;
    this.status = facts.status;
    this.code = facts.code;
    this.detail = facts.detail;
    this.hint = facts.hint;
    this.notApplied = facts.notApplied ?? false;
    this.unclear = facts.unclear ?? false;
    this.notes = notes;
  }

  /**
   * The same failure with one more note from a handler (what it kept, what to check); the facts, the
   * cause and the stack stay those of the call that failed. `facts` may mark it unclear on the way.
   */
  withNote(note: string, facts: Pick<IntegrationFacts, 'unclear'> = {}): IntegrationError {
    const noted = new IntegrationError(
      this.service,
      this.message,
      { ...this.facts(), unclear: facts.unclear ?? this.unclear, cause: this.cause },
      [...this.notes, note],
    );
    if (this.stack !== undefined) noted.stack = this.stack;
    return noted;
  }

  /** The facts as a plain object: what the one log line of a failure carries (no cause, no stack). */
  facts(): IntegrationFacts & { service: ServiceName; notes?: readonly string[] } {
    const facts: IntegrationFacts & { service: ServiceName; notes?: readonly string[] } = { service: this.service };
    if (this.operation !== undefined) facts.operation = this.operation;
    if (this.status !== undefined) facts.status = this.status;
    if (this.code !== undefined) facts.code = this.code;
    if (this.detail !== undefined) facts.detail = this.detail;
    if (this.hint !== undefined) facts.hint = this.hint;
    if (this.notApplied) facts.notApplied = true;
    if (this.unclear) facts.unclear = true;
    if (this.notes.length > 0) facts.notes = this.notes;
    return facts;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

export function isIntegrationError(error: unknown): error is IntegrationError {
  return error instanceof IntegrationError;
}
