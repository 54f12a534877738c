import type { ChatEvent } from '../../bot/chat/chat-event.js';
import type { ActingContext } from '../../bot/chat/command.js';
import type { Deps } from '../../deps.js';

/** The actor name on journal, history and audit rows the bot writes by itself. */
export const BOT_ACTOR = 'atmo-bot';
/** The platform of the bot's own decisions, as on the rows its jobs write. */
export const JOB_PLATFORM = 'job';

/**
 * Who takes a decision, and where it came from: what the journal, the request history and the audit
 * row record. A staff member acting through a chat event, or a job acting as the bot itself.
 */
export interface Who {
  /** The Atmosphere username the decision is credited to; `atmo-bot` for a job. */
  username: string;
  /** Their Atmosphere user id, to refuse deciding one's own request; null for the bot. */
  userId: number | null;
  platform: string;
  /** The chat user (Slack `U…`, Discord snowflake, console name); `atmo-bot` for a job. */
  chatUserId: string;
  /** The event the decision belongs to, tying its journal row to its audit row. */
  eventId: string;
  channel: string;
  /** The message whose button was clicked, when there is one. */
  messageId: string | null;
}

/** What an operation adds to the audit row of the event it ran for (the decision, the record id). */
export type AuditDetail = Record<string, unknown>;

/** The staff member behind a chat event, as the domain operations take them. */
export function whoOf(ctx: ActingContext<ChatEvent>): Who {
  const { event } = ctx;
  return {
    username: ctx.actor.username,
    userId: ctx.actor.userId,
    platform: event.platform,
    chatUserId: event.user.id,
    eventId: event.id,
    channel: event.channel,
    messageId: event.kind === 'action' ? (event.message?.id ?? null) : null,
  };
}

/** The bot acting in a job, for the event `eventId` (which names what it acts on). */
export function botWho(eventId: string, channel: string): Who {
  return { username: BOT_ACTOR, userId: null, platform: JOB_PLATFORM, chatUserId: BOT_ACTOR, eventId, channel, messageId: null };
}

/**
 * The services an operation runs with for a chat event: the bot's, with the event's logger, so what
 * the operation logs carries the event, the command and the user as the handler's own lines do.
 */
export function depsOf(ctx: ActingContext<ChatEvent>): Deps {
  return { ...ctx.deps, log: ctx.log };
}

/**
 * Where an operation notes a step that reached Atmosphere before a later one may fail (an allowance
 * set, a quota assigned), so the audit row of a failure still says it.
 */
export type Progress = (detail: AuditDetail) => void;

/**
 * Runs a domain operation for a chat event: the event's staff member is `who`, the audit row is
 * tagged with `tag` before anything can refuse (so `/atmo audit` finds refusals too), takes the
 * operation's progress as it happens, and gets what the outcome says of itself when it succeeds.
 */
export async function decideFor<O extends { audit: AuditDetail }>(
  ctx: ActingContext<ChatEvent>,
  tag: AuditDetail,
  operation: (deps: Deps, who: Who, progress: Progress) => Promise<O>,
): Promise<O> {
  ctx.audit(tag);
  const outcome = await operation(depsOf(ctx), whoOf(ctx), (detail) => ctx.audit(detail));
  ctx.audit(outcome.audit);
  return outcome;
}
