import type { ActingContext } from '../../bot/chat/command.js';
import type { Deps } from '../../deps.js';
import { UserError } from '../../errors.js';
import { listActiveAtmosphereMaintenance, listActiveTroposphereMaintenance, type MaintenanceRecordRow } from '../../db/queries/maintenance.js';

/** Active maintenance on each side; `troposphere` is null when it is not configured. */
export interface MaintenanceState {
  atmosphere: MaintenanceRecordRow[];
  troposphere: MaintenanceRecordRow[] | null;
}

/**
 * Reads what is on now. Troposphere's active() needs `start_date < now`, so a record started this
 * very instant is looked for a millisecond ahead: it is on for anyone who loads a page after it.
 */
export async function loadMaintenanceState(deps: Pick<Deps, 'db' | 'troposphereDb'>, now: Date): Promise<MaintenanceState> {
  const atmosphere = await listActiveAtmosphereMaintenance(deps.db, now);
  const troposphere = deps.troposphereDb ? await listActiveTroposphereMaintenance(deps.troposphereDb, new Date(now.getTime() + 1)) : null;
  return { atmosphere, troposphere };
}

/** How long a start or stop waits for its confirmation click. */
export const CONFIRMATION_TTL_MS = 10 * 60_000;

/** Who asked for a confirmation, from where, and until when it may be confirmed. */
export function confirmationOrigin(ctx: ActingContext, now: Date) {
  return {
    requestedBy: ctx.actor.username,
    platform: ctx.event.platform,
    chatUserId: ctx.event.user.id,
    createdAt: now,
    expiresAt: new Date(now.getTime() + CONFIRMATION_TTL_MS),
  };
}

/**
 * Refuses when status.io is asked for but not configured. A change says nothing was changed; a read
 * (`statusio list`) has nothing to change and says only what is missing.
 */
export function requireStatusPage(deps: Pick<Deps, 'statusPage'>, use: 'change' | 'read' = 'change'): NonNullable<Deps['statusPage']> {
  if (!deps.statusPage) {
    const missing = 'status.io is not configured (an operator sets STATUSIO_API_ID, STATUSIO_API_KEY and STATUSIO_PAGE_ID).';
    throw new UserError('unavailable', use === 'change' ? `${missing} Nothing was changed.` : missing);
  }
  return deps.statusPage;
}
