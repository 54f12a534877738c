import { z } from 'zod';
import { IntegrationError } from '../../errors.js';
import type { IncidentSummary, MaintenanceSummary } from './status-page.js';

/**
 * The shapes status.io answers with inside its `result`, and their mapping to the project's summaries.
 * Fields the bot does not read are left out; missing lists and messages default to empty.
 */

const message = z.object({ details: z.string().default(''), datetime: z.string().optional() });
const record = z.object({
  _id: z.string(),
  name: z.string().default(''),
  datetime_open: z.string().optional(),
  datetime_planned_start: z.string().optional(),
  datetime_planned_end: z.string().optional(),
  messages: z.array(message).default([]),
});
export type StatusRecord = z.infer<typeof record>;
export const maintenanceList = z.object({
  active_maintenances: z.array(record).default([]),
  upcoming_maintenances: z.array(record).default([]),
  resolved_maintenances: z.array(record).default([]),
});
export const incidentList = z.object({
  active_incidents: z.array(record).default([]),
  resolved_incidents: z.array(record).default([]),
});
// One maintenance is an object per the API table; the Go client reads one incident as an array of one.
export const singleRecord = z.union([record, z.array(record).transform((items) => items[0])]);
export const componentList = z.array(
  z.object({
    _id: z.string(),
    name: z.string(),
    containers: z.array(z.object({ _id: z.string(), name: z.string() })).default([]),
  }),
);

/** Checks a `result` against `schema`; a mismatch is an `IntegrationError` naming the operation. */
export function parseStatusIoResult<T>(schema: z.ZodType<T>, value: unknown, operation: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new IntegrationError('statusio', `status.io answered ${operation} in an unexpected shape`, { cause: result.error });
  return result.data;
}

function toDate(value: string | undefined): Date | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}

/** The minute (since the epoch) of a status.io timestamp, or null when it is missing or unreadable. */
export function minuteOf(value: string | undefined): number | null {
  const date = toDate(value);
  return date ? Math.floor(date.getTime() / 60_000) : null;
}

/** The newest message by `datetime`; array order breaks ties and covers messages without one. */
export function latestDetails(item: StatusRecord | undefined): string | null {
  if (!item) return null;
  let best: { details: string; at: number } | null = null;
  for (const m of item.messages) {
    const parsed = Date.parse(m.datetime ?? '');
    const at = Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
    if (!best || at >= best.at) best = { details: m.details, at };
  }
  return best?.details ?? null;
}

/** A status.io maintenance record as the project's summary. */
export function toMaintenance(item: StatusRecord): MaintenanceSummary {
  return {
    id: item._id,
    name: item.name,
    plannedStart: toDate(item.datetime_planned_start),
    plannedEnd: toDate(item.datetime_planned_end),
    latestDetails: latestDetails(item),
  };
}

/** A status.io incident record as the project's summary. */
export function toIncident(item: StatusRecord): IncidentSummary {
  return { id: item._id, name: item.name, openedAt: toDate(item.datetime_open), latestDetails: latestDetails(item) };
}
