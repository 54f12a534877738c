import type { Database } from '../../db/client.js';
import { UserError } from '../../errors.js';
import { listActiveAtmosphereMaintenance, type MaintenanceRecordRow } from '../../db/queries/maintenance.js';
import type { AtmosphereGateway } from './gateway.js';

/**
 * How long production trusts a read of Atmosphere's maintenance records. One approval checks two or
 * three times within milliseconds (the click, the submission, right before the write), and a burst of
 * approvals would read the same answer dozens of times a second. Missing a window that began less than
 * this ago costs nothing: Atmosphere's own 503 then refuses the write before changing anything, and
 * the REST gateway reports it as maintenance, not applied. A maintenance the bot itself starts or ends
 * is seen at once (`maintenanceChanged`).
 */
export const MAINTENANCE_RECHECK_MS = 1_000;

export interface MaintenanceGuardOptions {
  /** The bot's API user is in Atmosphere's MAINTENANCE_EXEMPT_USERNAMES: refuse nothing here. */
  exempt?: boolean;
  /** Reuse a read of the maintenance records younger than this (ms); 0, the default, reads every time. */
  recheckAfterMs?: number;
  /** A monotonic clock in ms, for the age of that read (tests drive it). */
  clock?: () => number;
}

/**
 * Wraps a gateway so that, while a global Atmosphere maintenance record is active, every write is
 * refused up front with the maintenance's own title and message and what to do, instead of a bare 503
 * from the API (which the REST gateway still maps, should a record appear between check and call).
 * Reads of the database are not affected; only the gateway's writes are.
 *
 * Atmosphere lets the users in its MAINTENANCE_EXEMPT_USERNAMES setting through during maintenance.
 * When the operator says the bot's API user is one of them (`exempt`, ATMOSPHERE_API_MAINTENANCE_EXEMPT),
 * nothing is refused here: the API's own answer decides, and a 503 is still reported as maintenance.
 */
export function withMaintenanceGuard(gateway: AtmosphereGateway, db: Database, now: () => Date, options: MaintenanceGuardOptions = {}): AtmosphereGateway {
  const recheckAfterMs = options.recheckAfterMs ?? 0;
  const clock = options.clock ?? (() => performance.now());
  // The last answer and when it was read. Each caller with a stale one reads for itself: waiting on
  // another event's read could wait on that event's work slot.
  let last: { at: number; active: MaintenanceRecordRow[] } | null = null;
  async function activeMaintenance(): Promise<MaintenanceRecordRow[]> {
    const startedAt = clock();
    if (last && startedAt - last.at < recheckAfterMs) return last.active;
    const active = await listActiveAtmosphereMaintenance(db, now());
    // Stamped with when the read began, so an answer is never trusted longer than asked; a newer
    // answer is not replaced by an older one that came back later.
    if (recheckAfterMs > 0 && (!last || last.at <= startedAt)) last = { at: startedAt, active };
    return active;
  }
  async function check(): Promise<void> {
    if (options.exempt) return;
    const active = await activeMaintenance();
    if (active.length === 0) return;
    const records = active.map((record) => `"${record.title}": ${record.message}`).join(' | ');
    throw new UserError(
      'maintenance',
      `Atmosphere is in maintenance (${records}), so its API refuses changes and nothing was done. ` +
        'Try again after /atmo maintenance stop. To keep approving through the bot during maintenance, an Atmosphere admin adds the ' +
        "bot's API user (the owner of ATMOSPHERE_API_TOKEN) to MAINTENANCE_EXEMPT_USERNAMES in Atmosphere's settings, and the bot is " +
        'started with ATMOSPHERE_API_MAINTENANCE_EXEMPT=true.',
    );
  }
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await check();
      return call(...args);
    };
  return {
    kind: gateway.kind,
    maintenanceChanged: () => {
      last = null;
      gateway.maintenanceChanged?.();
    },
    checkWritable: async () => {
      await check();
      await gateway.checkWritable();
    },
    findOrCreateQuota: guard((values) => gateway.findOrCreateQuota(values)),
    assignQuota: guard((input) => gateway.assignQuota(input)),
    setAllocationComputeAllowed: guard((input) => gateway.setAllocationComputeAllowed(input)),
    setResourceRequestStatus: guard((input) => gateway.setResourceRequestStatus(input)),
    setMachineRequestStatus: guard((input) => gateway.setMachineRequestStatus(input)),
    // A read: during maintenance the API answers it with a 503 the REST gateway maps.
    listInstanceActions: (input) => gateway.listInstanceActions(input),
    instanceAction: guard((input) => gateway.instanceAction(input)),
    moveImageVersion: guard((input) => gateway.moveImageVersion(input)),
    setApplicationPublic: guard((input) => gateway.setApplicationPublic(input)),
  };
}
