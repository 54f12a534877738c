import type { Deps } from '../../deps.js';
import { IntegrationError } from '../../errors.js';
import { renderIntegrationError } from '../../bot/chat/render-error.js';
import { setWindowStatusioId, type MaintenanceWindowRow } from '../../db/queries/maintenance-windows.js';

/**
 * The status.io half of `maintenance start` and `stop`. It runs after the databases changed, so a
 * failure here never undoes the maintenance: it comes back as one precise line saying what status.io
 * now shows and the command that finishes the job.
 */

/** Default closing text on status.io when staff give none. */
export const DEFAULT_FINISH_DETAILS = 'The maintenance is complete and Atmosphere is available again.';

function failure(error: unknown): string {
  if (error instanceof IntegrationError) return renderIntegrationError(error);
  return error instanceof Error ? error.message : String(error);
}

/**
 * Starts the window's status.io maintenance; schedules one from now to `until` first when the window
 * has none. Returns one line for the reply and the announcement.
 */
export async function startWindowOnStatusIo(
  deps: Pick<Deps, 'db' | 'statusPage'>,
  window: MaintenanceWindowRow,
  input: { title: string; message: string; now: Date; until: Date | null },
): Promise<{ ok: boolean; line: string }> {
  const statusPage = deps.statusPage;
  if (!statusPage) return { ok: false, line: 'status.io: not configured, so not changed.' };
  let id = window.statusioMaintenanceId;
  let scheduledHere = false;
  if (!id) {
    if (!input.until) return { ok: false, line: 'status.io: not changed, because a new status.io maintenance needs a planned end (--until).' };
    try {
      id = (await statusPage.scheduleMaintenance({ title: input.title, details: input.message, start: input.now, end: input.until })).id;
      scheduledHere = true;
      await setWindowStatusioId(deps.db, window.id, id);
    } catch (error) {
      return {
        ok: false,
        line: `status.io: FAILED to schedule the maintenance, so the status page shows nothing (${failure(error)}). Atmosphere and Troposphere stay in maintenance. Post it with /atmo statusio schedule and then /atmo statusio start <id>.`,
      };
    }
  }
  try {
    await statusPage.startMaintenance(id, input.message);
    return { ok: true, line: `status.io: maintenance ${id} ${scheduledHere ? 'scheduled and ' : ''}started; subscribers notified.` };
  } catch (error) {
    return {
      ok: false,
      line: `status.io: maintenance ${id} ${scheduledHere ? 'was scheduled but ' : ''}FAILED to start (${failure(error)}). Atmosphere and Troposphere stay in maintenance. Start it with /atmo statusio start ${id}.`,
    };
  }
}

/** Finishes the status.io maintenance of each window that has one. One line per window. */
export async function finishWindowsOnStatusIo(
  deps: Pick<Deps, 'statusPage'>,
  windows: readonly MaintenanceWindowRow[],
  details: string,
): Promise<{ ok: boolean; lines: string[] }> {
  const lines: string[] = [];
  let ok = true;
  for (const window of windows) {
    const id = window.statusioMaintenanceId;
    if (!id) continue;
    if (!deps.statusPage) {
      ok = false;
      lines.push(`status.io: not configured, so maintenance ${id} is still open there; finish it on the status.io dashboard.`);
      continue;
    }
    try {
      await deps.statusPage.finishMaintenance(id, details || DEFAULT_FINISH_DETAILS);
      lines.push(`status.io: maintenance ${id} finished; subscribers notified.`);
    } catch (error) {
      ok = false;
      lines.push(`status.io: maintenance ${id} FAILED to finish (${failure(error)}); Atmosphere and Troposphere are out of maintenance. Finish it with /atmo statusio finish ${id}.`);
    }
  }
  return { ok, lines };
}
