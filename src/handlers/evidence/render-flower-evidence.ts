import type { FlowerTask } from '../../integrations/flower/flower-client.js';
import { formatTimestamp } from '../format-time.js';
import { PENDING } from './render-nova-evidence.js';
import { IMAGING_QUEUE, type FlowerTasksEvidence, type ImagingQueueEvidence } from './flower-evidence.js';

/** Characters of a traceback's tail quoted per task; the exception is at the bottom of it. */
const TRACEBACK_TAIL = 400;
/** Tasks listed in a view; the rest are counted. */
const TASKS_SHOWN = 5;

const FAILED = new Set(['FAILURE', 'RETRY', 'REVOKED']);

function at(text: string | null): string {
  return text ? formatTimestamp(new Date(text)) : 'not recorded';
}

function tail(traceback: string): string {
  const lines = traceback.split('\n').map((line) => line.trim()).filter(Boolean);
  const last = lines.slice(-3).join(' | ');
  return last.length > TRACEBACK_TAIL ? `…${last.slice(-TRACEBACK_TAIL)}` : last;
}

function taskLines(task: FlowerTask): string[] {
  const lines = [`${task.state} ${task.name ?? '(unnamed task)'} on ${task.worker ?? 'no worker yet'}, received ${at(task.received)}, started ${at(task.started)} (task ${task.uuid})`];
  if (FAILED.has(task.state) && task.traceback) lines.push(`  Traceback (Flower, last lines): ${tail(task.traceback)}`);
  else if (FAILED.has(task.state) && task.exception) lines.push(`  Exception (Flower): ${task.exception}`);
  return lines;
}

/**
 * The Celery tasks Flower found for the instance, newest first, a failed one with the end of its
 * traceback and its worker (whose log to read, as the guide says); null without Flower's API.
 */
export function flowerTaskLines(evidence: FlowerTasksEvidence, manualSearch: string): string[] | null {
  if (evidence.kind === 'unconfigured') return null;
  if (evidence.kind === 'pending') return [PENDING('Flower')];
  if (evidence.kind === 'failed') return [`Could not ask Flower: ${evidence.reason}`, `Search by hand: ${manualSearch}`];
  const read = `(Flower, search "${evidence.term}", read ${at(evidence.at)})`;
  if (evidence.tasks.length === 0) return [read, 'No Celery task mentions the instance (Flower keeps only recent tasks in memory).'];
  const shown = evidence.tasks.slice(0, TASKS_SHOWN);
  const more = evidence.tasks.length - shown.length;
  return [read, ...shown.flatMap(taskLines), ...(more > 0 ? [`(${more} older tasks not listed)`] : [])];
}

/**
 * The guide's warning before restarting the imaging service, next to what Flower says about the
 * `imaging` queue now; null without Flower's API (the classification's own step names the check).
 */
export function imagingQueueLines(evidence: ImagingQueueEvidence): string[] | null {
  if (evidence.kind === 'unconfigured') return null;
  const warning = `Staff guide: before restarting the imaging service, check in Flower that the \`${IMAGING_QUEUE}\` queue is empty.`;
  if (evidence.kind === 'pending') return [warning, PENDING('Flower')];
  if (evidence.kind === 'failed') return [warning, `Could not ask Flower: ${evidence.reason}. Check the queue in Flower by hand before restarting anything.`];
  const read = `(Flower, GET /api/queues/length, read ${at(evidence.at)})`;
  if (evidence.messages === null) {
    const listed = evidence.queues.map((queue) => `${queue.name} ${queue.messages}`).join(', ') || 'none';
    return [warning, `Flower lists no \`${IMAGING_QUEUE}\` queue (queues: ${listed}) ${read}: check by hand before restarting.`];
  }
  if (evidence.messages > 0) {
    return [warning, `The \`${IMAGING_QUEUE}\` queue holds ${evidence.messages} message${evidence.messages === 1 ? '' : 's'} ${read}: do NOT restart the imaging service now.`];
  }
  return [warning, `The \`${IMAGING_QUEUE}\` queue is empty ${read}: the guide's check before a restart is met.`];
}
