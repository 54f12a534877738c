import { afterEach, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../src/errors.js';
import { createArgoClient } from '../../../src/integrations/argo/argo-client.js';
import { failedNode, podNameOf } from '../../../src/integrations/argo/argo-workflow.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { startFakeArgo, type FakeArgo } from '../../fakes/argo.js';
import { deployWorkflow } from '../../fixtures/argo-workflows.js';

const UUID = '7f904470-8970-562b-adc4-5249c3c5ca8b';

describe('the Argo Server client', () => {
  let argo: FakeArgo;
  afterEach(async () => {
    await argo.close();
  });

  function client(options: { token?: string; timeoutMs?: number } = {}) {
    const { log, lines } = createMemoryLogger('debug');
    return { argo: createArgoClient({ baseUrl: argo.url, token: options.token ?? `Bearer ${argo.token}`, namespace: 'atmo-argo', timeoutMs: options.timeoutMs ?? 5_000, log }), lines };
  }

  it("lists an instance's workflows by label, newest first, finds the failed step and tails its main container", async () => {
    argo = await startFakeArgo({
      namespace: 'atmo-argo',
      workflows: [
        deployWorkflow({ name: 'ansible-deploy-abcde', uuid: UUID, username: 'alee2', createdAt: '2026-11-22T15:10:00Z' }),
        deployWorkflow({ name: 'ansible-deploy-fghij', uuid: UUID, username: 'alee2', createdAt: '2026-11-22T16:10:00Z', failed: false }),
        deployWorkflow({ name: 'ansible-deploy-other', uuid: 'another', username: 'alee2' }),
      ],
    });
    const { argo: api } = client();
    const workflows = await api.listWorkflows(`instance_uuid=${UUID}`);
    expect(workflows.map((workflow) => `${workflow.name} ${workflow.phase}`)).toEqual(['ansible-deploy-fghij Succeeded', 'ansible-deploy-abcde Failed']);
    const failed = failedNode(workflows[1]!)!;
    expect(failed).toMatchObject({ displayName: 'atmo-user-ssh-keys', phase: 'Failed', message: 'Error (exit code 4)' });
    expect(failedNode(workflows[0]!)).toBeNull();
    const tail = await api.mainLogTail('ansible-deploy-abcde', podNameOf(workflows[1]!, failed), 5);
    expect(tail).toHaveLength(5);
    expect(tail.at(-2)).toMatch(/^fatal: \[149\.165\.157\.133\]: UNREACHABLE!/);
    const list = argo.calls[0]!;
    expect(list.path).toBe('/api/v1/workflows/atmo-argo');
    expect(list.query).toEqual({ 'listOptions.labelSelector': `instance_uuid=${UUID}` });
    expect(list.authorization).toBe(`Bearer ${argo.token}`);
    expect(argo.calls[1]!.query).toEqual({ podName: 'ansible-deploy-abcde-3', 'logOptions.container': 'main', 'logOptions.tailLines': '5' });
  });

  it('names pods by the v2 format when the workflow says so', async () => {
    argo = await startFakeArgo({ namespace: 'atmo-argo', workflows: [deployWorkflow({ name: 'ansible-deploy-v2xyz', uuid: UUID, username: 'alee2', podNameFormat: 'v2' })] });
    const { argo: api } = client();
    const [workflow] = await api.listWorkflows(`instance_uuid=${UUID}`);
    const pod = podNameOf(workflow!, failedNode(workflow!)!);
    expect(pod).toMatch(/^ansible-deploy-v2xyz-ansible-playbook-\d+$/);
    expect((await api.mainLogTail(workflow!.name, pod, 2)).at(-1)).toMatch(/^PLAY RECAP/);
  });

  it('answers an empty list when no workflow has the label, resubmits, and reads a workflow that is gone as null', async () => {
    argo = await startFakeArgo({ namespace: 'atmo-argo', workflows: [deployWorkflow({ name: 'ansible-deploy-abcde', uuid: UUID, username: 'alee2' })] });
    const { argo: api } = client();
    expect(await api.listWorkflows('instance_uuid=nobody')).toEqual([]);
    const created = await api.resubmit('ansible-deploy-abcde');
    expect(argo.workflows.get(created)?.resubmittedFrom).toBe('ansible-deploy-abcde');
    expect(argo.calls.at(-1)).toMatchObject({ method: 'PUT', path: '/api/v1/workflows/atmo-argo/ansible-deploy-abcde/resubmit', body: { name: 'ansible-deploy-abcde', namespace: 'atmo-argo', memoized: false } });
    expect(await api.getWorkflow('ansible-deploy-gone0')).toBeNull();
  });

  it('makes one request for identical reads under way at once, never for two resubmits', async () => {
    argo = await startFakeArgo({ namespace: 'atmo-argo', workflows: [deployWorkflow({ name: 'ansible-deploy-abcde', uuid: UUID, username: 'alee2' })] });
    const { argo: api } = client();
    argo.delayNext(200);
    const [a, b] = await Promise.all([api.listWorkflows(`instance_uuid=${UUID}`), api.listWorkflows(`instance_uuid=${UUID}`)]);
    expect(a).toEqual(b);
    expect(argo.calls).toHaveLength(1);
    await Promise.all([api.resubmit('ansible-deploy-abcde'), api.resubmit('ansible-deploy-abcde')]);
    expect(argo.calls.filter((call) => call.method === 'PUT')).toHaveLength(2);
  });

  it('says Argo refused the token without repeating it, and names a timeout, a malformed body and an error status', async () => {
    argo = await startFakeArgo({ namespace: 'atmo-argo' });
    const { argo: api, lines } = client({ token: 'not-the-argo-token-value', timeoutMs: 250 });
    const refused = (await api.listWorkflows('instance_uuid=x').catch((caught: unknown) => caught)) as IntegrationError;
    expect(refused).toBeInstanceOf(IntegrationError);
    expect(refused.message).toBe('Argo Server refused the token for GET /api/v1/workflows/atmo-argo (HTTP 401)');
    expect(refused.hint).toBe('check ARGO_TOKEN and its role in namespace atmo-argo');
    expect(JSON.stringify(lines) + refused.message).not.toContain('not-the-argo-token-value');
    argo.delayNext(2_000);
    const slow = (await client({ timeoutMs: 250 }).argo.listWorkflows('instance_uuid=x').catch((caught: unknown) => caught)) as IntegrationError;
    expect(slow.message).toBe('could not reach Argo Server for GET /api/v1/workflows/atmo-argo: waited 250 ms');
    argo.malformNext();
    const malformed = (await client().argo.listWorkflows('instance_uuid=x').catch((caught: unknown) => caught)) as IntegrationError;
    expect(malformed.message).toBe('Argo Server answered GET /api/v1/workflows/atmo-argo with a body that is not what its API returns');
    argo.failNext(500);
    const failed = (await client().argo.resubmit('x').catch((caught: unknown) => caught)) as IntegrationError;
    expect(failed.message).toBe('Argo Server answered PUT /api/v1/workflows/atmo-argo/x/resubmit with HTTP 500: Injected failure');
  });
});
