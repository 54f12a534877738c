/**
 * The one place key-value keys are built. Each key starts with its purpose, so a `SCAN` of a shared
 * Redis shows at a glance what the bot keeps there; the store adds the bot-wide prefix (`atmobot:`).
 */
export const keys = {
  /** A mutual-exclusion lock taken with `withLock`. */
  lock: (name: string) => `lock:${name}`,
  /** The election marker of one scheduled-job slot; `key` is node-cron's `<job>:<slot ISO>`. */
  cronSlot: (key: string) => `cron:${key}`,
  /** A cached chat-user → Atmosphere-account resolution (Slack's verified e-mail lookup). */
  emailLink: (platform: string, userId: string) => `email-link:${platform}:${userId}`,
  /** Which Atmosphere account a chat user acts as (the account id and how it was found, never `is_staff`). */
  actorLink: (platform: string, userId: string) => `actor-link:${platform}:${userId}`,
  /** A "seen it already" marker for an incoming event or an alert, e.g. `dedupe('slack-event', id)`. */
  dedupe: (kind: string, id: string) => `dedupe:${kind}:${id}`,
  /** What an open form (Slack modal, Discord modal) will do when submitted; the client holds only `id`. */
  formState: (id: string) => `form:${id}`,
  /** Who resubmitted an Argo workflow, so a second click (any replica) does not start a second run. */
  workflowResubmit: (namespace: string, workflow: string) => `argo-resubmit:${namespace}:${workflow}`,
  /** A source's recent answer about one subject, e.g. `evidence('nova', '4:<server id>')`. */
  evidence: (source: string, subject: string) => `evidence:${source}:${subject}`,
} as const;

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * How long a job slot's election marker lives. It must outlast the clock skew between replicas
 * (a replica whose clock lags fires the same slot later and must still find the marker), and the
 * marker is never deleted on completion for that reason. Ten minutes is far above any skew NTP
 * leaves, and small enough that an every-second job keeps only a few hundred keys alive.
 */
export const CRON_SLOT_TTL_MS = 10 * MINUTE_MS;

/**
 * How long a Slack e-mail → Atmosphere-account link is cached. Every command needs the link, and
 * `users.info` is rate limited (Tier 4, ~100/min); accounts and e-mail addresses change rarely, and a
 * staff member whose account was just fixed waits at most this long.
 */
export const EMAIL_LINK_TTL_MS = 10 * MINUTE_MS;

/**
 * How long a failed e-mail lookup ("no matching account") is cached. Shorter than a hit, because the
 * usual fix (an admin creates or links the account) should take effect while the user retries.
 */
export const EMAIL_LINK_MISS_TTL_MS = 1 * MINUTE_MS;

/**
 * How long a chat user's account resolution (link or e-mail match → account id) is reused. `/atmo
 * link` and `unlink` delete the entry in the shared store, so every replica sees a link change at
 * once; the TTL only bounds what no command announces: an e-mail edited in Atmosphere, or a second
 * account with the same e-mail that makes the match ambiguous. The account row itself (active, end
 * date, `is_staff`) is read again on every event, so a demoted or disabled user loses access at once.
 */
export const ACTOR_LINK_TTL_MS = 1 * MINUTE_MS;

/**
 * How long an incoming event id is remembered for de-duplication. Slack retries an event it thinks
 * failed up to three times, the last about five minutes after the first
 * (https://api.slack.com/apis/events-api#retries); an hour covers that with room to spare.
 */
export const DEDUPE_TTL_MS = 1 * HOUR_MS;

/**
 * How long an open form's state is kept. The Slack response_url that answers a form is good for 30
 * minutes after the click (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses),
 * so a form left open longer could not answer properly anyway; an hour leaves room for a slow reader.
 * A later submission is told to click the button again.
 */
export const FORM_STATE_TTL_MS = 1 * HOUR_MS;

/**
 * How long a signed Slack request is remembered so that a byte-for-byte replay is not run again.
 * A request is accepted only while its timestamp is within five minutes of our clock, either side
 * (https://docs.slack.dev/authentication/verifying-requests-from-slack), so one signature stays
 * acceptable for at most ten minutes; a minute more covers the time a request takes to arrive.
 */
export const SLACK_REPLAY_TTL_MS = 11 * MINUTE_MS;

/**
 * How long a Discord interaction's claim is kept. An interaction must be answered within 3 s and its
 * token is good for 15 minutes after that
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-callback);
 * a second delivery later than that (a gateway RESUME replaying it, a captured HTTP request sent
 * again) could do nothing the user sees, and within it the claim turns it away. A minute more
 * covers the clocks of the replicas.
 */
export const DISCORD_INTERACTION_TTL_MS = 16 * MINUTE_MS;

/**
 * How long an evidence source's answer (Nova, Glance, Flower, Argo, and reconciliation's listings and
 * quota sets) is reused. A busy channel opening the same instance's view again and again then costs
 * each cloud service one call per half minute, while a staff member who just rebooted the instance
 * sees Nova's new state within that time. Failures are not kept: the next view asks again (identical
 * calls under way at once still share one request, `in-flight.ts`).
 */
export const EVIDENCE_TTL_MS = 30 * SECOND_MS;

/**
 * How long a resubmitted workflow stays marked as resubmitted. A resubmit makes a new workflow, so
 * the failed one stays failed and its button stays on older messages; a day covers the time anyone
 * would click an old button, and Atmosphere's celery retry would have made newer workflows by then.
 */
export const WORKFLOW_RESUBMIT_TTL_MS = 24 * HOUR_MS;

/**
 * Validates a TTL and rounds it up to whole milliseconds. Redis rejects `PX 0` and fractions, and an
 * entry without expiry would stay forever, so both stores refuse anything that is not a positive,
 * finite number.
 */
export function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`TTL must be a positive number of milliseconds, got ${ttlMs}`);
  }
  return Math.ceil(ttlMs);
}
