/**
 * The three kinds of failure the bot knows about. Only the dispatcher turns them into chat replies:
 * a UserError shows its text, an IntegrationError a sentence naming the service, anything else is a bug.
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

/** A call to another service failed. `status` is the HTTP status when there was one. */
export class IntegrationError extends Error {
  override readonly name = 'IntegrationError';
  readonly service: ServiceName;
  readonly status: number | undefined;
  /** What the service said, already stripped of anything secret; shown to staff. */
  readonly detail: string | undefined;
  /**
   * True when the service is known to have refused before changing anything (a maintenance 503),
   * although its status alone would leave that open; a retried change then cannot be a second one.
   */
  readonly notApplied: boolean;
  constructor(
    service: ServiceName,
    message: string,
    options: { status?: number; detail?: string; cause?: unknown; notApplied?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.service = service;
    this.status = options.status;
    this.detail = options.detail;
    this.notApplied = options.notApplied ?? false;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

export function isIntegrationError(error: unknown): error is IntegrationError {
  return error instanceof IntegrationError;
}
