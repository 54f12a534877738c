import { pingDatabase, type Database } from '../../db/client.js';
import { pendingAudit } from '../../db/queries/audit.js';
import type { KeyValueStore } from '../../integrations/kv/key-value-store.js';

/** One part of the bot as a probe sees it. `off` means not configured, which is not a fault. */
export interface ComponentState {
  state: 'up' | 'down' | 'degraded' | 'off';
  detail?: string;
}

export interface HealthReport {
  ok: boolean;
  detail: Record<string, unknown>;
}

export interface HealthOptions {
  mode: 'embedded' | 'production';
  db: Database;
  troposphereDb: Database | null;
  kv: KeyValueStore;
  /** The Atmosphere gateway's kind: `rest`, `embedded` or `read-only` (approvals refused). */
  gateway: string;
  /** Each chat adapter's connection, asked at probe time (Slack HTTP or Socket Mode, Discord gateway). */
  connections: () => Record<string, ComponentState>;
  /** How long a database ping may take before it counts as not answering. */
  budgetMs?: number;
}

/**
 * Probes answer within a second whatever hangs (Kubernetes' default probe timeout is 1 s); the
 * database pings get most of it, the rest is rendering and the network.
 */
const DEFAULT_BUDGET_MS = 800;

/**
 * The readiness report: each component's state, and `ok` only while the bot can do its main job,
 * which is seeing requests, deciding them through Atmosphere and recording the decisions. That needs:
 * the Atmosphere database; the Troposphere database when one is configured (maintenance writes both);
 * a gateway that can write (not `read-only`, where every approval is refused); and every configured
 * chat connection (Slack's endpoint or socket, Discord's gateway or endpoint). Redis is not needed:
 * without it locks, elections and markers fall back to Postgres and this process, so it only
 * degrades. `failing` names what keeps the bot from being ready.
 *
 * A ping that does not answer within the budget reports `down` at once; the ping itself is left to
 * finish (or hit the statement timeout) and the next probe reuses it instead of taking another
 * connection.
 */
export function createHealthCheck(options: HealthOptions): () => Promise<HealthReport> {
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const atmosphere = pinger(options.db);
  const troposphere = options.troposphereDb ? pinger(options.troposphereDb) : null;
  return async () => {
    const [atmosphereDb, troposphereDb] = await Promise.all([
      atmosphere(budgetMs),
      troposphere ? troposphere(budgetMs) : Promise.resolve<ComponentState>({ state: 'off' }),
    ]);
    const backlog = pendingAudit(options.db);
    const connections = options.connections();
    const components: Record<string, ComponentState> = {
      atmosphereDb,
      troposphereDb,
      redis: redisState(options.kv),
      atmosphereApi: options.gateway === 'read-only' ? { state: 'down', detail: 'ATMOSPHERE_API_URL is not set: approvals are refused' } : { state: 'up', detail: options.gateway },
      ...connections,
      ...(backlog > 0 ? { auditBacklog: { state: 'degraded', detail: `${backlog} audit rows waiting for the database` } } : {}),
    };
    const required = ['atmosphereDb', 'troposphereDb', 'atmosphereApi', ...Object.keys(connections)];
    const failing = required.filter((name) => components[name]?.state === 'down');
    return {
      ok: failing.length === 0,
      detail: { mode: options.mode, gateway: options.gateway, database: atmosphereDb.state === 'up', failing, components },
    };
  };
}

function redisState(kv: KeyValueStore): ComponentState {
  if (kv.kind === 'memory') return { state: 'off', detail: 'in-process store' };
  return kv.healthy() ? { state: 'up' } : { state: 'degraded', detail: 'unreachable; locks and markers fall back to this process' };
}

/** A single-flight `select 1` with a deadline. */
function pinger(db: Database): (budgetMs: number) => Promise<ComponentState> {
  let inFlight: Promise<ComponentState> | null = null;
  return (budgetMs) => {
    inFlight ??= pingDatabase(db)
      .then((): ComponentState => ({ state: 'up' }))
      .catch((error: unknown): ComponentState => ({ state: 'down', detail: reason(error) }))
      .finally(() => (inFlight = null));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ComponentState>((resolve) => {
      timer = setTimeout(() => resolve({ state: 'down', detail: `no answer within ${budgetMs} ms` }), budgetMs);
    });
    return Promise.race([inFlight, deadline]).finally(() => clearTimeout(timer));
  };
}

/** The innermost message (drizzle wraps the driver's error, whose text says what happened), one line. */
function reason(error: unknown): string {
  let current = error;
  for (let depth = 0; current instanceof Error && current.cause instanceof Error && depth < 5; depth += 1) current = current.cause;
  const text = current instanceof Error ? current.message : 'unreachable';
  return (text.split('\n')[0] ?? text).slice(0, 200);
}
