import type { WorkQueue } from './work-queue.js';

/**
 * The same client, with every call that returns a promise made through `queue.outside`: while an
 * event waits on this service it holds no work slot, so a hung Atmosphere, GitHub or status.io call
 * stalls only its own event. Wrap only clients that wait on the network; the embedded gateway writes
 * to the database and must keep its slot. With `service`, each call is reported as one to it.
 */
export function callsOutsideSlot<T extends object>(client: T, queue: Pick<WorkQueue, 'outside'>, service?: string): T {
  return new Proxy(client, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = Reflect.apply(value, target, args);
        return result instanceof Promise ? queue.outside(() => result, service) : result;
      };
    },
  });
}
