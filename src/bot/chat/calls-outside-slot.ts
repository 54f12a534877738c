import type { WorkQueue } from './work-queue.js';

/**
 * The same client, with every call that returns a promise made through `queue.outside`: while an
 * event waits on this service it holds no work slot, so a hung Atmosphere, GitHub or status.io call
 * stalls only its own event. Wrap only clients that wait on the network; the embedded gateway writes
 * to the database and must keep its slot. With `service`, each call is reported as one to it.
 * Methods named in `local` answer without the network (the REST gateway's `checkWritable`), so they
 * are called as they are: neither moved out of the slot nor counted as a call to the service.
 */
export function callsOutsideSlot<T extends object>(
  client: T,
  queue: Pick<WorkQueue, 'outside'>,
  service?: string,
  options: { local?: readonly (keyof T & string)[] } = {},
): T {
  const local = new Set<string | symbol>(options.local ?? []);
  return new Proxy(client, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || local.has(key)) return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = Reflect.apply(value, target, args);
        return result instanceof Promise ? queue.outside(() => result, service) : result;
      };
    },
  });
}
