import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../support/test-deps.js';
import { createConsoleAdapter } from '../../../src/bot/console/console-adapter.js';
import { getResourceRequest } from '../../../src/db/queries/resource-requests.js';
import { renderText } from '../../../src/bot/console/render-text.js';
import { requestIdOf } from '../../e2e/e2e-support.js';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import { findInstances } from '../../../src/db/queries/instances.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { createMemoryStore } from '../../../src/integrations/kv/memory-store.js';
import { createOpenStackClouds } from '../../../src/integrations/openstack/openstack-clients.js';
import { startFakeOpenStack } from '../../fakes/openstack.js';

describe('console adapter', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('pglite');
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  async function session(lines: string[], actingAs = 'kpatel', dispatcher = t.dispatcher): Promise<string> {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const adapter = createConsoleAdapter({ dispatcher, input, output, log: t.deps.log, actingAs, operator: 'tester' });
    const done = adapter.run();
    input.end(`${lines.join('\n')}\n`);
    await done;
    return text;
  }

  it('numbers buttons, prompts for the form, and applies the decision', async () => {
    // The first button of the list is the oldest request's, tgarcia's.
    const id = await requestIdOf(t.deps.db, 'tgarcia');
    // Its text asks for "cpu: 48, memory: 192 GB, instances: 6": that is the quota's default, kept by
    // Enter; 6 instances is fewer than now, so the decrease is confirmed.
    const out = await session(['requests', '1', 'Approved for the class', '', '', '', 'yes']);
    expect(out).toContain('[1] Approve   [2] Deny');
    expect(out).toContain('Message to the user (e-mailed as the reason) (optional): ');
    expect(out).toContain('New quota (optional) [Enter keeps: cpu=48 memory=192GB instances=6]: ');
    expect(out).toMatch(/\(New quota: Now: Jetstream - Indiana University: cpu 16 · memory 128 GB · storage 10 GB · volumes 10 · instances 10/);
    expect(out).toContain(`Approved request #${id} from tgarcia`);
    expect(out).toMatch(/instances 10 → 6 \(DOWN\)/);
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('approved');
  });

  it('switches the acting user with /as and refuses what that user may not do', async () => {
    const out = await session(['/as jsmith', 'requests'], 'kpatel');
    expect(out).toContain('Now acting as jsmith.');
    expect(out).toContain('Only Atmosphere staff can do that, and jsmith is not staff.');
  });

  it('cancels a form without changing anything', async () => {
    // The oldest request left, after the approval above, is rnguyen's; [2] denies it.
    const id = await requestIdOf(t.deps.db, 'rnguyen');
    const out = await session(['requests', '2', '/cancel']);
    expect(out).toContain('Cancelled; nothing was changed.');
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('pending');
  });

  it('asks again for a wrong field only, keeping what else was typed', async () => {
    // rnguyen has identities on two providers: a quota needs the provider named.
    const id = await requestIdOf(t.deps.db, 'rnguyen');
    const out = await session(['requests', '1', 'Enjoy the course', 'cpu=lots', '', '', '', 'cpu=64', 'TACC']);
    expect(out).toContain('cpu must be a whole number from 1 to 100000, not "lots"');
    expect(out).toContain('New quota (optional) [Enter keeps: cpu=lots]: ');
    expect(out).toContain('rnguyen has identities on several providers');
    expect(out).toContain('Provider for the quota (if several) (optional)');
    expect(out).toContain(`Approved request #${id} from rnguyen`);
    // Each prompt after a mistake asked for one field: the message was typed once and kept.
    expect(out.split('Message to the user').length - 1).toBe(1);
    const request = await getResourceRequest(t.deps.db, id);
    expect(request).toMatchObject({ status: 'approved', adminMessage: 'Enjoy the course' });
  });

  it('prints a view again, marked as updated, when its late evidence arrives', async () => {
    const [vm] = await findInstances(t.deps.db, 'gpu-test');
    const cloud = await startFakeOpenStack({ servers: { [vm!.uuid]: { status: 'ERROR', fault: { code: 500, message: 'No valid host was found. There are not enough hosts available.' } } } });
    try {
      const openstack = createOpenStackClouds({
        clouds: [{ providerId: vm!.providerId, authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: cloud.credentialSecret, regionName: undefined, interface: 'public' }],
        log: t.deps.log,
        timeoutMs: 5_000,
      });
      const dispatcher = createDispatcher({ ...t.deps, config: { ...t.deps.config, EVIDENCE_WAIT_MS: 200 }, openstack, kv: createMemoryStore() }, commandDefinitions, actionDefinitions);
      cloud.delayNext('/compute/', 800);
      const out = await session(['instance gpu-test'], 'kpatel', dispatcher);
      const first = out.indexOf('Still asking Nova: its answer is added when it arrives.');
      const updated = /\(message (\d+) updated\)/.exec(out);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(updated).not.toBeNull();
      expect(updated!.index).toBeGreaterThan(first);
      expect(out.slice(updated!.index)).toContain('Fault (Nova): No valid host was found.');
      expect(out.slice(updated!.index)).toContain('with the late evidence');
      expect(out).not.toContain('(with the late evidence)');
    } finally {
      await cloud.close();
    }
  });

  it('explains an unknown choice number', async () => {
    expect(await session(['42'])).toContain('There is no choice [42].');
  });
});

describe('renderText', () => {
  it('numbers buttons from the given start across sections and the message', () => {
    const { text, choices } = renderText(
      {
        title: 'T',
        text: 'body',
        fields: [{ label: 'Quota', value: 'a\nb' }],
        sections: [{ text: 'one', buttons: [{ label: 'Go', action: 'x:go', value: '1' }] }],
        buttons: [{ label: 'Stop', action: 'x:stop', value: '2' }],
        footer: 'done',
      },
      7,
    );
    expect(text).toBe('== T ==\nbody\n  Quota:\n    a\n    b\n\n  one\n  [7] Go\n[8] Stop\n-- done');
    expect(choices.map((c) => [c.number, c.button.action])).toEqual([
      [7, 'x:go'],
      [8, 'x:stop'],
    ]);
  });
});
