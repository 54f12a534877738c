import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type DatabaseHandle } from '../src/db/client.js';
import { migrateBotSchema } from '../src/db/migrate.js';
import { createMemoryStore } from '../src/integrations/kv/memory-store.js';
import { createRunCoordinator } from '../src/jobs/run-coordinator.js';
import { startScheduler } from '../src/jobs/scheduler.js';
import { createLogger } from '../src/logger.js';
import { prettyLine } from '../src/pretty-log-line.js';
import { duplicateJsonKeys } from './support/duplicate-json-keys.js';

function rawLogger(format: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const log = createLogger('debug', { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean)) }, format);
  return { log, lines };
}

describe('log lines', () => {
  it('carry an ISO 8601 timestamp', () => {
    const { log, lines } = rawLogger();
    log.info('hello');
    const entry = JSON.parse(lines[0]!) as { time: unknown };
    expect(entry.time).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));
  });

  it('read as one short line each in the pretty format, secrets still blanked', () => {
    const { log, lines } = rawLogger('pretty');
    log.child({ component: 'scheduler' }).warn({ job: 'alert-scan', token: 'xoxb-secret' }, 'slot skipped');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  slot skipped component=scheduler job=alert-scan token=\[redacted\]$/);
    expect(lines.join('\n')).not.toContain('xoxb-secret');
  });

  it('show an error stack under the pretty line, and pass non-JSON through', () => {
    const line = prettyLine(JSON.stringify({ level: 50, time: '2026-12-01T10:00:00.000Z', msg: 'failed', err: { stack: 'Error: boom\n    at x' } }));
    expect(line).toBe('10:00:00.000 ERROR failed\n    Error: boom\n        at x');
    expect(prettyLine('not json\n')).toBe('not json');
  });

  it('tell a duplicated key, which JSON.parse would hide', () => {
    const { log, lines } = rawLogger();
    log.child({ component: 'jobs' }).child({ component: 'scheduler' }).info('x');
    expect(duplicateJsonKeys(lines[0]!)).toEqual(['component']);
    expect(duplicateJsonKeys('{"a":{"b":1,"b":2},"c":[{"d":1,"d":"}"}]}')).toEqual(['a.b', 'c[].d']);
  });

  describe('from the scheduled jobs as start-up wires them', () => {
    let handle: DatabaseHandle;
    beforeAll(async () => {
      handle = await openPglite();
      await migrateBotSchema(handle);
    });
    afterAll(() => handle.close());

    it('name each key once', async () => {
      const { log, lines } = rawLogger();
      const coordinator = createRunCoordinator({ kv: createMemoryStore(), db: handle.db, runner: 'r1', log });
      const scheduler = startScheduler({
        jobs: [
          { name: 'works', cron: '0 0 1 1 *', run: async () => {} },
          { name: 'breaks', cron: '0 0 1 1 *', run: () => Promise.reject(new Error('boom')) },
        ],
        coordinator,
        log,
      });
      await scheduler.runNow('works');
      await scheduler.runNow('breaks');
      await scheduler.stop();
      expect(lines.length).toBeGreaterThanOrEqual(4);
      expect(lines.filter((line) => line.includes('"component"')).length).toBeGreaterThan(0);
      expect(lines.flatMap((line) => duplicateJsonKeys(line).map((key) => `${key} in ${line}`))).toEqual([]);
    });
  });
});
