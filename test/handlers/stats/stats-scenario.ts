import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../../src/db/client.js';
import { atmosphereUser, instance, instanceSource, provider, instanceStatus, instanceStatusHistory, machineRequest, resourceRequest, statusType } from '../../../src/db/atmosphere-schema.js';
import { alertThread, decision, maintenanceWindow, requestEvent } from '../../../src/db/bot-schema/index.js';
import { REAL_PROCESSING_NONETYPE_V2, REAL_VALIDATING_MAX_INSTANCES_V2 } from '../../fixtures/old-status-examples.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * A two-week scenario ending at `now`, placed after all the demo data so only these rows fall in the
 * window. Each figure the report should give is worked out by hand in the test beside it.
 */
export async function insertStatsScenario(db: Database, now: Date): Promise<{ providerName: string }> {
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
  const statusId = async (name: string) => {
    const [found] = await db.select({ id: statusType.id }).from(statusType).where(eq(statusType.name, name)).orderBy(asc(statusType.id)).limit(1);
    return found?.id ?? (await db.insert(statusType).values({ name }).returning({ id: statusType.id }))[0]!.id;
  };
  const [user] = await db.select({ id: atmosphereUser.id }).from(atmosphereUser).orderBy(asc(atmosphereUser.id)).limit(1);

  // Resource requests: [start offset, status, Atmosphere end_date offset from start, the bot's decision].
  const requests: [number, string, number | null, { action: string; by: string; afterHours: number } | null][] = [
    [-15 * DAY, 'approved', 1 * HOUR, null], // before the window
    [-13 * DAY, 'approved', 2 * HOUR, null], // decided outside the bot: 2 h
    [-12 * DAY, 'approved', 10 * HOUR + 60_000, { action: 'approve', by: 'kpatel', afterHours: 10 }], // the bot knows: 10 h
    [-11 * DAY, 'denied', 60 * HOUR, { action: 'deny', by: 'mdelgado', afterHours: 60 }], // 60 h, past the 48 h reminder
    [-6 * DAY, 'approved', 4 * HOUR, { action: 'approve', by: 'kpatel', afterHours: 4 }],
    [-3 * DAY, 'pending', null, null], // waiting 72 h: past the reminder
    [-1 * DAY, 'pending', null, null], // waiting 24 h
  ];
  for (const [offset, status, end, made] of requests) {
    const startDate = at(offset);
    const [row] = await db
      .insert(resourceRequest)
      .values({ adminMessage: '', startDate, endDate: end === null ? null : new Date(startDate.getTime() + end), request: 'more cpu', description: 'stats scenario', createdById: user!.id, statusId: await statusId(status) })
      .returning({ id: resourceRequest.id });
    if (made) {
      const decidedAt = new Date(startDate.getTime() + made.afterHours * HOUR);
      await db.insert(decision).values({ subject: 'resource_request', recordId: row!.id, action: made.action, state: 'done', decidedBy: made.by, platform: 'slack', chatUserId: `U-${made.by}`, decidedAt, completedAt: decidedAt });
    }
  }

  // Imaging requests, cloned from a demo request so every foreign key holds.
  const [template] = await db.select().from(machineRequest).orderBy(asc(machineRequest.id)).limit(1);
  const { id: _id, uuid: _uuid, ...base } = template!;
  const imaging: [number, string, string | null, number | null][] = [
    [-13 * DAY, 'completed', null, 3 * HOUR],
    [-10 * DAY, 'completed', null, 5 * HOUR],
    [-5 * DAY, 'validating', REAL_VALIDATING_MAX_INSTANCES_V2, null],
    [-4 * DAY, 'processing', REAL_PROCESSING_NONETYPE_V2, null],
    [-2 * DAY, 'denied', null, null],
    [-1 * DAY, 'pending', null, null],
  ];
  const mr: number[] = [];
  for (const [offset, status, oldStatus, took] of imaging) {
    const startDate = at(offset);
    const [row] = await db
      .insert(machineRequest)
      .values({ ...base, startDate, endDate: took === null ? null : new Date(startDate.getTime() + took), oldStatus, statusId: await statusId(status), newApplicationName: `Stats ${mr.length}` })
      .returning({ id: machineRequest.id });
    mr.push(row!.id);
  }
  const event = (recordId: number, action: string, when: Date) => ({ subject: 'machine_request', recordId, at: when, actor: 'kpatel', platform: 'slack', action });
  await db.insert(requestEvent).values([
    event(mr[0]!, 'resubmitted', at(-13 * DAY + HOUR)),
    // Held by the queue 1 h, then approved; the last one is still held (23 h at `now`).
    event(mr[1]!, 'queued', at(-10 * DAY + HOUR)),
    event(mr[1]!, 'approved', at(-10 * DAY + 2 * HOUR)),
    event(mr[5]!, 'queued', at(-1 * DAY + HOUR)),
  ]);
  // The first request errored with a stale cache while the bot watched, and completed after a re-submit.
  await db.insert(alertThread).values({ subject: 'machine_request', recordId: mr[0]!, channel: 'slack:C1', state: 'resolved', status: 'completed', category: 'cache', fingerprint: 'x', openedAt: at(-13 * DAY), updatedAt: at(-13 * DAY + 3 * HOUR) });

  // Instances, cloned from a demo instance and its first history row.
  const [instanceTemplate] = await db.select().from(instance).orderBy(asc(instance.id)).limit(1);
  const [historyTemplate] = await db.select().from(instanceStatusHistory).where(eq(instanceStatusHistory.instanceId, instanceTemplate!.id)).limit(1);
  const instanceStatusId = async (name: string) => {
    const [found] = await db.select({ id: instanceStatus.id }).from(instanceStatus).where(eq(instanceStatus.name, name)).orderBy(asc(instanceStatus.id)).limit(1);
    return found?.id ?? (await db.insert(instanceStatus).values({ name }).returning({ id: instanceStatus.id }))[0]!.id;
  };
  // [launch offset, history rows as [status, activity, from h, to h or null, fault]]
  const instances: [number, [string, string | null, number, number | null, string | null][]][] = [
    [-6 * DAY, [['build', null, 0, 1, null], ['active', 'deploy_error', 1, 3, null], ['active', null, 3, null, null]]], // error, back after 2 h
    [-5 * DAY, [['active', 'networking', 0, 4, null], ['active', null, 4, null, null]]], // stuck networking 4 h (> 20 min), back after 4 h
    [-2 * DAY, [['build', null, 0, 0.25, null], ['active', null, 0.25, null, null]]], // fine
    [-1 * DAY, [['error', null, 0, null, 'No valid host was found. There are not enough hosts available.']]], // out of capacity, not back
  ];
  const { id: _iid, token: _token, ...instanceBase } = instanceTemplate!;
  for (const [offset, history] of instances) {
    const startDate = at(offset);
    const [row] = await db.insert(instance).values({ ...instanceBase, providerAlias: randomUUID(), name: `stats-${offset}`, startDate, endDate: null }).returning({ id: instance.id });
    for (const [status, activity, from, to, fault] of history) {
      await db.insert(instanceStatusHistory).values({
        instanceId: row!.id,
        sizeId: historyTemplate!.sizeId,
        statusId: await instanceStatusId(status),
        activity,
        startDate: new Date(startDate.getTime() + from * HOUR),
        endDate: to === null ? null : new Date(startDate.getTime() + to * HOUR),
        extra: fault ? { display_error: fault } : null,
      });
    }
  }

  // Maintenance: one held (planned 60 min, took 90), one cancelled, one before the window.
  const window = (title: string, state: string, startsAt: Date, minutes: number, started: number | null, finished: number | null) => ({
    title,
    message: 'stats scenario',
    startsAt,
    endsAt: new Date(startsAt.getTime() + minutes * 60_000),
    state,
    createdBy: 'kpatel',
    createdAt: at(-20 * DAY),
    startedAt: started === null ? null : new Date(startsAt.getTime() + started * 60_000),
    finishedAt: finished === null ? null : new Date(startsAt.getTime() + finished * 60_000),
  });
  await db.insert(maintenanceWindow).values([
    window('Storage upgrade', 'finished', at(-10 * DAY), 60, 5, 95),
    window('Cancelled one', 'cancelled', at(-8 * DAY), 30, null, null),
    window('Old one', 'finished', at(-20 * DAY), 30, 0, 30),
  ]);
  const [named] = await db
    .select({ name: provider.location })
    .from(instanceSource)
    .innerJoin(provider, eq(provider.id, instanceSource.providerId))
    .where(eq(instanceSource.id, instanceTemplate!.sourceId));
  return { providerName: named!.name };
}
