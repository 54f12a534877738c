import type { Deps } from '../../deps.js';
import { IntegrationError } from '../../errors.js';
import { integrationReason } from '../../bot/chat/render-error.js';
import type { FlowerQueue, FlowerTask } from '../../integrations/flower/flower-client.js';
import { keys } from '../../integrations/kv/keys.js';
import { readCached } from './read-cached.js';

/** Tasks read per search: Flower keeps 10,000 by default; the latest few say what happened. */
export const FLOWER_TASK_LIMIT = 10;

/** The Celery queue Atmosphere's imaging workers listen to (the staff guide's `imaging` queue). */
export const IMAGING_QUEUE = 'imaging';

export type FlowerTasksEvidence =
  | { kind: 'unconfigured' }
  | { kind: 'pending' }
  | { kind: 'tasks'; term: string; tasks: FlowerTask[]; at: string }
  | { kind: 'failed'; term: string; reason: string; at: string };

export type ImagingQueueEvidence =
  | { kind: 'unconfigured' }
  /** Asked, and not answered within the view's wait (EVIDENCE_WAIT_MS): the answer follows. */
  | { kind: 'pending' }
  /** `messages` is null when Flower lists no queue named `imaging`. */
  | { kind: 'queue'; messages: number | null; queues: FlowerQueue[]; at: string }
  | { kind: 'failed'; reason: string; at: string };

/** The tasks Flower's search finds for `term` (an instance id), reused for EVIDENCE_TTL_MS. */
export async function readFlowerTasks(deps: Pick<Deps, 'flower' | 'kv' | 'log' | 'now'>, term: string): Promise<FlowerTasksEvidence> {
  const flower = deps.flower;
  if (!flower) return { kind: 'unconfigured' };
  return readCached(
    deps.kv,
    keys.evidence('flower-tasks', term),
    deps.log,
    async (): Promise<FlowerTasksEvidence> => {
      try {
        return { kind: 'tasks', term, tasks: await flower.searchTasks(term, FLOWER_TASK_LIMIT), at: deps.now().toISOString() };
      } catch (error) {
        if (!(error instanceof IntegrationError)) throw error;
        deps.log.warn({ err: error }, 'Flower evidence not read');
        return { kind: 'failed', term, reason: integrationReason(error), at: deps.now().toISOString() };
      }
    },
    (evidence) => evidence.kind === 'tasks',
  );
}

/**
 * The `imaging` queue's length. Not cached: staff read it right before restarting the imaging
 * service, and the guide's check is only worth something if it is current.
 */
export async function readImagingQueue(deps: Pick<Deps, 'flower' | 'log' | 'now'>): Promise<ImagingQueueEvidence> {
  const flower = deps.flower;
  if (!flower) return { kind: 'unconfigured' };
  try {
    const queues = await flower.queueLengths();
    return { kind: 'queue', messages: queues.find((queue) => queue.name === IMAGING_QUEUE)?.messages ?? null, queues, at: deps.now().toISOString() };
  } catch (error) {
    if (!(error instanceof IntegrationError)) throw error;
    deps.log.warn({ err: error }, 'Flower queue not read');
    return { kind: 'failed', reason: integrationReason(error), at: deps.now().toISOString() };
  }
}
