import type { Database } from '../db/client.js';
import { claimJobSlot } from '../db/queries/job-runs.js';
import type { KeyValueStore } from '../integrations/kv/key-value-store.js';
import { keys } from '../integrations/kv/keys.js';
import type { Logger } from '../logger.js';

/** node-cron's coordinator hook (`runCoordinator` task option): true means "this replica runs the slot". */
export interface RunCoordinator {
  shouldRun(key: string, ttlMs: number): Promise<boolean>;
}

export interface RunCoordinatorOptions {
  kv: KeyValueStore;
  db: Database;
  /** This replica's id, stored with each slot it wins (host name plus pid is enough). */
  runner: string;
  log: Logger;
  now?: () => Date;
}

/**
 * Elects one replica per job slot. node-cron asks on every fire with `key = "<job>:<slot ISO>"`;
 * replicas that fire the same slot get the same key, and exactly one of them gets `true`.
 *
 * Redis first: `SET cron:<key> <runner> NX PX ttl`. The marker is never deleted when the run ends,
 * because a replica whose clock lags would otherwise fire the same slot later and win it again.
 * When Redis is unhealthy or the call fails, Postgres decides: an insert into `atmobot.job_run`
 * (primary key = slot key) under a transaction-scoped advisory lock; the insert that returns a row
 * wins. When both fail the slot is skipped (fail closed) and an error is logged: a missed run of a
 * periodic job is cheaper than a doubled one (two alert threads, two notices).
 *
 * The cross-path case: Redis can be down for one replica and up for another (a network split, or a
 * SET that timed out after Redis applied it). Replica A then wins in Redis while replica B, unable to
 * reach Redis, wins in Postgres, and both would run. So Postgres is the tie-breaker whenever it is
 * reachable: the Redis winner also records the slot in `job_run`, and if a row is already there (or
 * another replica holds the slot's advisory lock) it stands down. The Postgres path treats any
 * existing row as lost. Only when the Redis winner cannot reach Postgres does it run on the Redis
 * election alone; a replica in the opposite state (no Redis, Postgres fine) is then the only way to
 * get two runs, which needs two simultaneous, opposite partitions.
 */
export function createRunCoordinator(options: RunCoordinatorOptions): RunCoordinator {
  const { kv, db, runner } = options;
  const now = options.now ?? (() => new Date());
  const log = options.log.child({ component: 'run-coordinator', runner });

  return {
    async shouldRun(key, ttlMs) {
      const slot = { slotKey: key, job: jobOfSlotKey(key), runner, ranAt: now() };
      if (kv.healthy()) {
        let wonInRedis: boolean | undefined;
        try {
          wonInRedis = await kv.setIfAbsent(keys.cronSlot(key), runner, ttlMs);
        } catch (error) {
          log.warn({ err: error, slot: key }, 'redis election failed; deciding this slot in Postgres');
        }
        if (wonInRedis === false) return false;
        if (wonInRedis === true) {
          try {
            const won = await claimJobSlot(db, slot);
            if (!won) log.warn({ slot: key }, 'won in Redis but another replica already took the slot in Postgres; standing down');
            return won;
          } catch (error) {
            log.warn({ err: error, slot: key }, 'could not record the slot in Postgres; running on the Redis election alone');
            return true;
          }
        }
      }
      try {
        return await claimJobSlot(db, slot);
      } catch (error) {
        log.error({ err: error, slot: key }, 'neither Redis nor Postgres could elect a runner; skipping this slot');
        return false;
      }
    },
  };
}

/** `nightly:2026-11-21T23:00:00.000Z` → `nightly`; the slot's ISO time itself contains colons. */
function jobOfSlotKey(key: string): string {
  const match = /^(.*):\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/.exec(key);
  return match?.[1] ?? key;
}
