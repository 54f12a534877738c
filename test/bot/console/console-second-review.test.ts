import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../support/test-deps.js';
import { createConsoleAdapter } from '../../../src/bot/console/console-adapter.js';
import { getResourceRequest } from '../../../src/db/queries/resource-requests.js';
import { requestIdOf } from '../../e2e/e2e-support.js';

describe('console: a large grant waits for a second reviewer', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('pglite', { env: { SECOND_REVIEW_CPU: '32' } });
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  async function session(lines: string[], actingAs: string): Promise<string> {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const adapter = createConsoleAdapter({ dispatcher: t.dispatcher, input, output, log: t.deps.log, actingAs, operator: 'tester' });
    const done = adapter.run();
    input.end(`${lines.join('\n')}\n`);
    await done;
    return text;
  }

  it('the Approve button records the first approval; another staff member confirms with its numbered button', async () => {
    const id = await requestIdOf(t.deps.db, 'tgarcia');
    // The oldest request is tgarcia's, asking for cpu 48 (above 32): Enter keeps the form's defaults.
    const first = await session([`request ${id}`, '1', 'For the paper', '', '', '', 'yes'], 'kpatel');
    expect(first).toContain(`Request #${id} (tgarcia) was approved first by kpatel`);
    expect(first).toContain('cpu 48 is above SECOND_REVIEW_CPU (32)');
    expect(first).toMatch(/\[\d+\] Confirm approval \(second reviewer\)\s+\[\d+\] Deny/);
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('pending');

    const second = await session([`request ${id}`, '1'], 'mdelgado');
    expect(second).toContain('Approved first by kpatel at');
    expect(second).toContain(`Approved request #${id} from tgarcia as the second reviewer of kpatel's approval`);
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('approved');
  });
});
