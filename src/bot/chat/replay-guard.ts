import type { Logger } from '../../logger.js';
import type { KeyValueStore } from '../../integrations/kv/key-value-store.js';
import { createMemoryStore } from '../../integrations/kv/memory-store.js';
import { DEDUPE_TTL_MS, DISCORD_INTERACTION_TTL_MS, SLACK_REPLAY_TTL_MS, keys } from '../../integrations/kv/keys.js';

/**
 * What is remembered, and for how long (the TTLs' reasons are in keys.ts): a signed request by its
 * signature, for as long as Slack's timestamp window lets it be replayed; an Events API event by its
 * id, for as long as Slack may retry it; a Discord interaction by its id, for as long as its token
 * lives (each gateway session receives it, and a signed HTTP request can be sent again).
 */
const TTL_MS = {
  'slack-request': SLACK_REPLAY_TTL_MS,
  'slack-event': DEDUPE_TTL_MS,
  'discord-interaction': DISCORD_INTERACTION_TTL_MS,
} as const;

export type ReplayKind = keyof typeof TTL_MS;

/** Remembers which incoming requests or events were already taken, so a replay is not run twice. */
export interface ReplayGuard {
  /**
   * True the first time `id` of `kind` is seen within its TTL, false for every repeat. Several
   * replicas sharing Redis agree on it; while Redis is unreachable this process alone remembers.
   */
  firstTime(kind: ReplayKind, id: string): Promise<boolean>;
}

/**
 * A replay guard over the key-value store (`dedupe:<kind>:<id>` markers). When the store fails
 * (Redis down), an in-process store answers instead, so a replay to the same replica is still
 * caught and no request is refused for want of Redis; one warning is logged per outage.
 */
export function createReplayGuard(options: { kv: KeyValueStore; log: Logger }): ReplayGuard {
  const { kv, log } = options;
  const fallback = kv.kind === 'memory' ? kv : createMemoryStore();
  let degraded = false;
  return {
    async firstTime(kind, id) {
      const ttlMs = TTL_MS[kind];
      const key = keys.dedupe(kind, id);
      try {
        const first = await kv.setIfAbsent(key, '1', ttlMs);
        if (degraded) log.info('replay markers are shared again');
        degraded = false;
        // Keep the local copy too, so a replay during a later outage is still caught here.
        if (fallback !== kv) await fallback.setIfAbsent(key, '1', ttlMs);
        return first;
      } catch (error) {
        if (!degraded) log.warn({ err: error }, 'replay markers fall back to this process while the store is unavailable');
        degraded = true;
        return fallback.setIfAbsent(key, '1', ttlMs);
      }
    },
  };
}
