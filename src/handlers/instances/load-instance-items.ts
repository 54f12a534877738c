import type { Deps } from '../../deps.js';
import { listInstanceHistory, type HistoryRow, type InstanceRow } from '../../db/queries/instances.js';
import { listRequestEvents, type RequestEventRow } from '../../db/queries/request-events.js';
import { classifyInstance, type InstanceTriage } from './classify-instance.js';
import { instanceThresholds } from './instance-thresholds.js';
import { instanceTools, type InstanceTools } from './instance-tools.js';
import { episodeStart } from './next-instance-step.js';
import type { InstanceEvidence } from '../evidence/instance-evidence.js';

/** One instance with everything the views, the report and the alert threads show. */
export interface InstanceItem {
  instance: InstanceRow;
  /** Oldest first. */
  history: HistoryRow[];
  current: HistoryRow | null;
  triage: InstanceTriage;
  tools: InstanceTools;
  /** What the bot did to the instance (redeploys, reboots), oldest first. */
  events: RequestEventRow[];
  /** When the current trouble began, for which of the guide's steps were already tried. */
  episodeStart: Date;
  /** What the cloud's own services said (Nova), when the view asked them. */
  evidence?: InstanceEvidence;
}

/**
 * The guide's triage of one instance from its current history row. `fault` is Atmosphere's recorded
 * fault, or Nova's when Atmosphere recorded none, so a "No valid host" read from Nova classifies the
 * instance as the cloud being near capacity.
 */
export function triageInstance(config: Deps['config'], row: InstanceRow, current: HistoryRow | null, now: Date, fault: string | null): InstanceTriage {
  return classifyInstance({
    status: current?.status ?? 'unknown',
    activity: current?.activity ?? null,
    since: current?.startDate ?? row.startDate,
    endDate: row.endDate,
    fault,
    now,
    ...instanceThresholds(config, { id: row.providerId, name: row.provider }),
  });
}

/** Loads histories and bot events for the instances in two indexed queries and classifies each. */
export async function loadInstanceItems(deps: Pick<Deps, 'db' | 'config'>, instances: readonly InstanceRow[], now: Date): Promise<InstanceItem[]> {
  const ids = instances.map((row) => row.id);
  const [history, events] = await Promise.all([listInstanceHistory(deps.db, ids), listRequestEvents(deps.db, 'instance', ids)]);
  return instances.map((row) => {
    const own = history.filter((entry) => entry.instanceId === row.id);
    const current = own.at(-1) ?? null;
    const triage = triageInstance(deps.config, row, current, now, current?.fault ?? null);
    return {
      instance: row,
      history: own,
      current,
      triage,
      tools: instanceTools(deps.config, { username: row.owner, uuid: row.uuid, ip: row.ip }),
      events: events.filter((event) => event.recordId === row.id),
      episodeStart: episodeStart(own, row.startDate),
    };
  });
}
