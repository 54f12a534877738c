import { afterEach, describe, expect, it } from 'vitest';
import { renderIntegrationError } from '../../../src/bot/chat/render-error.js';
import { IntegrationError } from '../../../src/errors.js';
import { createFlowerClient } from '../../../src/integrations/flower/flower-client.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { startFakeFlower, type FakeFlower, type FakeFlowerTask } from '../../fakes/flower.js';

const INSTANCE = '480f21fc-27c0-5295-b8f2-87cf12626b55';
const deploy = (overrides: Partial<FakeFlowerTask>): FakeFlowerTask => ({
  uuid: 'a1f0c9d2-0000-4000-8000-000000000001',
  name: 'service.tasks.driver.deploy_init_to',
  state: 'SUCCESS',
  worker: 'celery@atmo-worker1',
  args: `('OSDriver', 'identity-uuid', '${INSTANCE}')`,
  received: 1_764_600_000.25,
  started: 1_764_600_001.5,
  ...overrides,
});

describe('the Flower client', () => {
  let flower: FakeFlower;
  afterEach(async () => {
    await flower.close();
  });

  function client(options: { password?: string; timeoutMs?: number } = {}) {
    const { log, lines } = createMemoryLogger('debug');
    return { flower: createFlowerClient({ baseUrl: `${flower.url}/`, user: flower.user, password: options.password ?? flower.password, timeoutMs: options.timeoutMs ?? 5_000, log }), lines };
  }

  it('searches the tasks that mention the instance with basic auth and the limit, newest received first', async () => {
    flower = await startFakeFlower({
      tasks: [
        deploy({}),
        deploy({ uuid: 'b2', state: 'FAILURE', received: 1_764_600_100, started: 1_764_600_101, exception: "Exception('ansible failed')", traceback: 'Traceback (most recent call last):\n  File "service/tasks/driver.py"\nException: ansible failed' }),
        deploy({ uuid: 'c3', args: "('OSDriver', 'x', 'another-instance')" }),
      ],
    });
    const { flower: api } = client();
    const tasks = await api.searchTasks(INSTANCE, 10);
    expect(tasks.map((task) => `${task.uuid} ${task.state}`)).toEqual(['b2 FAILURE', 'a1f0c9d2-0000-4000-8000-000000000001 SUCCESS']);
    expect(tasks[0]).toMatchObject({ worker: 'celery@atmo-worker1', name: 'service.tasks.driver.deploy_init_to', received: '2025-12-01T14:41:40.000Z', exception: "Exception('ansible failed')" });
    expect(tasks[0]!.traceback).toContain('Exception: ansible failed');
    expect(tasks[1]).toMatchObject({ received: '2025-12-01T14:40:00.250Z', started: '2025-12-01T14:40:01.500Z', traceback: null });
    const call = flower.calls[0]!;
    expect(call.path).toBe('/flower/api/tasks');
    expect(call.query).toEqual({ search: INSTANCE, limit: '10' });
    expect(call.authorization).toBe(`Basic ${Buffer.from(`${flower.user}:${flower.password}`).toString('base64')}`);
  });

  it('reads the queue lengths', async () => {
    flower = await startFakeFlower({ queues: [{ name: 'celery', messages: 2 }, { name: 'imaging', messages: 3 }] });
    expect(await client().flower.queueLengths()).toEqual([{ name: 'celery', messages: 2 }, { name: 'imaging', messages: 3 }]);
    expect(flower.calls[0]!.path).toBe('/flower/api/queues/length');
  });

  it('makes one request for identical searches under way at once, and a new one once it answered', async () => {
    flower = await startFakeFlower({ tasks: [deploy({})] });
    const { flower: api } = client();
    flower.delayNext(200);
    const [a, b, other] = await Promise.all([api.searchTasks(INSTANCE, 10), api.searchTasks(INSTANCE, 10), api.searchTasks('another-instance', 10)]);
    expect(a).toEqual(b);
    expect(other).toEqual([]);
    expect(flower.calls.map((call) => call.query.search)).toEqual([INSTANCE, 'another-instance']);
    await api.searchTasks(INSTANCE, 10);
    expect(flower.calls).toHaveLength(3);
  });

  it('says Flower refused the credentials, keeping the password out of the error and the log', async () => {
    flower = await startFakeFlower();
    const { flower: api, lines } = client({ password: 'not-the-flower-password' });
    const error = (await api.queueLengths().catch((caught: unknown) => caught)) as IntegrationError;
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error.message).toBe('Flower refused the credentials for GET /api/queues/length (HTTP 401)');
    expect(renderIntegrationError(error)).toBe("Flower did not accept the bot's credentials (HTTP 401). An operator should check FLOWER_USER and FLOWER_PASSWORD.");
    expect(JSON.stringify(lines) + error.message).not.toContain('not-the-flower-password');
  });

  it('names a timeout, a body that is not JSON, and an error status', async () => {
    flower = await startFakeFlower();
    const { flower: api } = client({ timeoutMs: 250 });
    flower.delayNext(2_000);
    expect(((await api.searchTasks('x', 5).catch((caught: unknown) => caught)) as Error).message).toBe('could not reach Flower for GET /api/tasks: waited 250 ms');
    flower.malformNext();
    expect(((await api.searchTasks('x', 5).catch((caught: unknown) => caught)) as Error).message).toMatch(/body that is not JSON/);
    flower.failNext(500);
    const failed = (await api.queueLengths().catch((caught: unknown) => caught)) as IntegrationError;
    expect(failed.status).toBe(500);
    expect(failed.message).toBe('Flower answered GET /api/queues/length with HTTP 500: {"error":"Injected failure"}');
  });
});
