import { formatTimestamp } from '../format-time.js';
import type { MaintenanceRecordRow } from '../../db/queries/maintenance.js';
import type { MaintenanceWindowRow } from '../../db/queries/maintenance-windows.js';
import type { MaintenanceOutcome, SideOutcome } from './apply-maintenance.js';

/** Pure text builders for maintenance replies: what will change, what changed, what is on. */

export const CONFIRM_START_ACTION = 'mt:confirm-start';
export const CONFIRM_STOP_ACTION = 'mt:confirm-stop';
export const CANCEL_ACTION = 'mt:cancel';

const TROPOSPHERE_UNSET = 'not configured (TROPOSPHERE_DATABASE_URL is unset), so NOT changed';

export interface StartPlan {
  title: string;
  message: string;
  until: Date | null;
  atmosphereActive: MaintenanceRecordRow[];
  /** null when Troposphere is not configured. */
  troposphereActive: MaintenanceRecordRow[] | null;
  /** What will happen on status.io, already phrased; null when status.io is not asked for. */
  statusio: string | null;
  window: MaintenanceWindowRow | null;
}

const untilText = (until: Date | null) => (until ? `until ${formatTimestamp(until)}` : 'with no end date (until stopped)');
const ids = (rows: readonly { id: number }[]) => rows.map((row) => `#${row.id}`).join(', ');

/** The confirmation text of a start: exactly what each side will get. */
export function describeStartPlan(plan: StartPlan): string {
  const lines = [`Start maintenance "${plan.title}" now, ${untilText(plan.until)}? This locks users out.`];
  if (plan.window) lines.push(`Opens scheduled window #${plan.window.id} (planned ${formatTimestamp(plan.window.startsAt)}).`);
  lines.push(
    plan.atmosphereActive.length > 0
      ? `• Atmosphere: already in maintenance (${ids(plan.atmosphereActive)}); left as is.`
      : `• Atmosphere: insert global maintenance_record "${plan.title}" from now ${untilText(plan.until)} (the API answers 503 to users not in MAINTENANCE_EXEMPT_USERNAMES).`,
  );
  if (plan.troposphereActive === null) {
    lines.push(`• Troposphere: ${TROPOSPHERE_UNSET}. Run \`./manage.py maintenance start\` in the troposphere container yourself.`);
  } else {
    lines.push(
      plan.troposphereActive.length > 0
        ? `• Troposphere: already in maintenance (${ids(plan.troposphereActive)}); left as is.`
        : `• Troposphere: insert api_maintenancerecord "${plan.title}" from now ${untilText(plan.until)} (the web UI sends non-staff users to /maintenance; login disabled).`,
    );
  }
  if (plan.statusio) lines.push(`• status.io: ${plan.statusio}`);
  lines.push(`Message shown to users: "${plan.message}"`);
  return lines.join('\n');
}

export interface StopPlan {
  atmosphereActive: MaintenanceRecordRow[];
  troposphereActive: MaintenanceRecordRow[] | null;
  statusio: string[];
  /**
   * Details given although no status.io maintenance will be finished, so they reach no one; with
   * whether status.io is configured here, to say where they could go.
   */
  unusedDetails?: { details: string; statusioConfigured: boolean } | undefined;
}

/** The confirmation text of a stop. */
export function describeStopPlan(plan: StopPlan): string {
  const lines = ['End maintenance now? This lets users back in.'];
  lines.push(
    plan.atmosphereActive.length > 0
      ? `• Atmosphere: set end_date = now on global maintenance_record ${describeRecords(plan.atmosphereActive)} (the API serves users again).`
      : '• Atmosphere: no active global maintenance record; nothing to change.',
  );
  if (plan.troposphereActive === null) {
    lines.push(`• Troposphere: ${TROPOSPHERE_UNSET}. Run \`./manage.py maintenance stop\` in the troposphere container yourself.`);
  } else {
    lines.push(
      plan.troposphereActive.length > 0
        ? `• Troposphere: set end_date = now on api_maintenancerecord ${describeRecords(plan.troposphereActive)} (the web UI and login open again).`
        : '• Troposphere: no active maintenance record; nothing to change.',
    );
  }
  for (const line of plan.statusio) lines.push(`• status.io: ${line}`);
  if (plan.unusedDetails) lines.push(`• ${describeUnusedDetails(plan.unusedDetails)}`);
  return lines.join('\n');
}

/** Stop's details are only ever the closing text of a status.io maintenance; said when there is none. */
export function describeUnusedDetails(unused: { details: string; statusioConfigured: boolean }): string {
  const shown = unused.details.length > 80 ? `${unused.details.slice(0, 79)}…` : unused.details;
  const why = unused.statusioConfigured
    ? 'no maintenance the bot started is open on status.io. To post them there, use /atmo statusio finish <maintenance id> <details>'
    : 'status.io is not configured here, and only a status.io maintenance takes closing details';
  return `Your details ("${shown}") go nowhere: ${why}.`;
}

function describeRecords(rows: readonly MaintenanceRecordRow[]): string {
  return rows.map((row) => `#${row.id} "${row.title}"`).join(', ');
}

/** One line per side saying what state it is in after a start or stop. */
export function describeOutcome(outcome: MaintenanceOutcome): string[] {
  return [`• Atmosphere: ${describeSide(outcome, outcome.atmosphere, 'maintenance_record')}`, `• Troposphere: ${describeSide(outcome, outcome.troposphere, 'api_maintenancerecord')}`];
}

function describeSide(outcome: MaintenanceOutcome, side: SideOutcome, table: string): string {
  const on = outcome.kind === 'start';
  const list = (values: number[]) => values.map((id) => `#${id}`).join(', ');
  switch (side.state) {
    case 'changed':
      return on ? `maintenance ON (${table} ${list(side.ids)} inserted).` : `maintenance OFF (${table} ${list(side.ids)} end-dated).`;
    case 'unchanged':
      return on ? `was already in maintenance (${list(side.ids)}); left as is.` : 'was not in maintenance; nothing to change.';
    case 'not-configured':
      return `${TROPOSPHERE_UNSET}. Run \`./manage.py maintenance ${outcome.kind}\` in the troposphere container.`;
    case 'failed':
      return `FAILED, left as it was (maintenance ${on ? 'still off' : 'still on'}): ${side.error}`;
    case 'put-back':
      return `put back as it was (maintenance ${on ? 'off' : 'on'}) because the other side failed.`;
    case 'stuck':
      return `CHANGED ALONE: maintenance ${on ? 'ON' : 'OFF'} here (${list(side.ids)}), and putting it back failed: ${side.error}`;
  }
}

/** Whether exactly one side ended changed, so a retry of the same command is the fix. */
export function isHalfDone(outcome: MaintenanceOutcome): boolean {
  return outcome.atmosphere.state === 'stuck' || outcome.troposphere.state === 'stuck';
}

/** The `status` reply body. */
export function describeStatus(input: {
  now: Date;
  atmosphere: MaintenanceRecordRow[];
  providerRecords: (MaintenanceRecordRow & { providerId: number })[];
  troposphere: MaintenanceRecordRow[] | null;
  started: MaintenanceWindowRow[];
  scheduled: MaintenanceWindowRow[];
}): string {
  const record = (row: MaintenanceRecordRow) =>
    `#${row.id} "${row.title}" since ${formatTimestamp(row.startDate)}, ${row.endDate ? `until ${formatTimestamp(row.endDate)}` : 'no end date'}: ${row.message}`;
  const lines: string[] = [];
  const on = input.atmosphere.length > 0 || (input.troposphere?.length ?? 0) > 0;
  lines.push(on ? 'Maintenance is ON.' : 'Maintenance is off.');
  lines.push(input.atmosphere.length > 0 ? `Atmosphere (API answers 503): ${input.atmosphere.map(record).join('; ')}` : 'Atmosphere: no active global maintenance record.');
  for (const row of input.providerRecords) lines.push(`Atmosphere, provider ${row.providerId} only (does not block the API): ${record(row)}`);
  if (input.troposphere === null) lines.push('Troposphere: not configured (TROPOSPHERE_DATABASE_URL is unset); check it with `./manage.py maintenance show`.');
  else lines.push(input.troposphere.length > 0 ? `Troposphere (web UI closed): ${input.troposphere.map(record).join('; ')}` : 'Troposphere: no active maintenance record.');
  for (const window of input.started) lines.push(`Started window ${describeWindow(window)}`);
  if (input.scheduled.length > 0) lines.push('Scheduled:', ...input.scheduled.map((window) => `• ${describeWindow(window)}`));
  else lines.push('No maintenance windows are scheduled.');
  lines.push('Times are UTC.');
  return lines.join('\n');
}

/** `#3 "v36-1 deployment" 2026-12-01 16:00 UTC → 23:00 UTC (status.io 5f…)`. */
export function describeWindow(window: MaintenanceWindowRow): string {
  const end = window.endsAt ? formatTimestamp(window.endsAt) : 'open end';
  const statusio = window.statusioMaintenanceId ? ` (status.io ${window.statusioMaintenanceId})` : window.statusio ? ' (status.io: not scheduled, see the earlier error)' : '';
  return `#${window.id} "${window.title}" ${formatTimestamp(window.startsAt)} → ${end}${statusio}`;
}
