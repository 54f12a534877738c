import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { auditLog } from '../../../src/db/bot-schema/index.js';
import { findInstances, type InstanceRow } from '../../../src/db/queries/instances.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { createArgoClient } from '../../../src/integrations/argo/argo-client.js';
import { createMemoryStore } from '../../../src/integrations/kv/memory-store.js';
import { dbKinds } from '../../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { startFakeArgo, type FakeArgo } from '../../fakes/argo.js';
import { deployWorkflow } from '../../fixtures/argo-workflows.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const mdelgado = { id: 'c-mdelgado', actingAs: 'mdelgado' };
const jsmith = { id: 'c-jsmith', actingAs: 'jsmith' };

describe.each(dbKinds())('Argo in the instance triage on %s', (kind) => {
  let t: TestContext;
  let argo: FakeArgo | undefined;
  let vm: InstanceRow;

  beforeAll(async () => {
    t = await createTestContext(kind, { env: { ARGO_NAMESPACE: 'atmo-argo' } });
    [vm] = (await findInstances(t.deps.db, 'docker-dev')) as [InstanceRow];
  }, 180_000);
  afterAll(async () => {
    await t?.database.drop();
  });
  afterEach(async () => {
    await argo?.close();
    argo = undefined;
  });

  async function withArgo(workflows: ReturnType<typeof deployWorkflow>[], options: { token?: string } = {}): Promise<Dispatcher> {
    argo = await startFakeArgo({ namespace: 'atmo-argo', workflows });
    const client = createArgoClient({ baseUrl: argo.url, token: options.token ?? argo.token, namespace: 'atmo-argo', timeoutMs: 5_000, log: t.deps.log });
    return createDispatcher({ ...t.deps, argo: client, kv: createMemoryStore() }, commandDefinitions, actionDefinitions);
  }
  const text = (reply: { sections?: { text: string }[] }) => (reply.sections ?? []).map((section) => section.text).join('\n');

  it("shows a deploy error's failed step, Argo's message and the tail of its main container, with a Resubmit button", async () => {
    const dispatcher = await withArgo([deployWorkflow({ name: 'ansible-deploy-k2x9q', uuid: vm.uuid, username: 'alee2' })]);
    const view = (await dispatch(dispatcher, commandEvent('instance docker-dev', kpatel))).replies[0]!;
    const body = text(view);
    expect(body).toContain('*Argo: deployment workflows*\n(Argo Server, namespace atmo-argo, read ');
    expect(body).toContain('Workflows, newest first: ansible-deploy-k2x9q Failed (created 2026-11-22 15:10 UTC)');
    expect(body).toContain('Failed step of ansible-deploy-k2x9q: atmo-user-ssh-keys: Error (exit code 4) (pod ansible-deploy-k2x9q-3)');
    expect(body).toContain('Last 20 lines of its main container:');
    expect(body).toMatch(/\| fatal: \[149\.165\.157\.133\]: UNREACHABLE!/);
    expect(body).not.toContain('TASK [retry 10]');
    expect(body).not.toContain('argo list -n atmo-argo');
    expect(view.buttons).toContainEqual({ label: 'Resubmit workflow', action: 'in:argo-resubmit', value: `${vm.id}:ansible-deploy-k2x9q` });
    const report = (await dispatch(dispatcher, commandEvent('instance report docker-dev', kpatel))).replies[0]!.text;
    expect(report).toContain('- Argo: Failed step of ansible-deploy-k2x9q: atmo-user-ssh-keys: Error (exit code 4)');
  });

  it('says a deployment before v37-3 has no labels and shows the deploy log route instead', async () => {
    const dispatcher = await withArgo([]);
    const view = (await dispatch(dispatcher, commandEvent('instance docker-dev', kpatel))).replies[0]!;
    expect(text(view)).toContain(`No workflow carries the label instance_uuid=${vm.uuid}: Atmosphere labels deployment workflows only since v37-3.`);
    expect(text(view)).toContain(`Read the deploy logs instead (one file per step, pulled once the workflow completes): /opt/dev/atmosphere-docker/logs/atmosphere/atmosphere_deploy.d/alee2/${vm.uuid}/`);
    expect(view.buttons?.map((button) => button.action)).not.toContain('in:argo-resubmit');
  });

  it('shows a refused token in the view with the argo command to run, and keeps the rest of the view', async () => {
    const dispatcher = await withArgo([], { token: 'not-the-argo-token-value' });
    const view = (await dispatch(dispatcher, commandEvent('instance docker-dev', kpatel))).replies[0]!;
    expect(text(view)).toContain('Could not ask Argo Server: Argo Server refused the token for GET /api/v1/workflows/atmo-argo (HTTP 401)');
    expect(text(view)).toContain(`Run by hand: \`argo list -n atmo-argo -l instance_uuid=${vm.uuid}\``);
    expect(text(view)).toContain('*Timeline*');
    expect(JSON.stringify(view)).not.toContain('not-the-argo-token-value');
  });

  it('resubmits after a confirmation, once across two clicks, and audits it', async () => {
    const dispatcher = await withArgo([deployWorkflow({ name: 'ansible-deploy-k2x9q', uuid: vm.uuid, username: 'alee2' })]);
    const value = `${vm.id}:ansible-deploy-k2x9q`;
    const refused = (await dispatch(dispatcher, actionEvent('in:argo-resubmit', value, jsmith))).replies[0]!;
    expect(refused.text).toMatch(/staff/i);
    const confirm = (await dispatch(dispatcher, actionEvent('in:argo-resubmit', value, kpatel))).replies[0]!;
    expect(confirm.text).toContain(`Resubmit Argo workflow ansible-deploy-k2x9q (namespace atmo-argo) of instance #${vm.id} "docker-dev" (${vm.uuid}) of alee2?`);
    expect(confirm.buttons?.map((button) => `${button.action}:${button.value}`)).toEqual([`in:argo-resubmit-confirm:${value}`, `in:cancel:${vm.id}`]);
    expect(argo!.calls.filter((call) => call.method === 'PUT')).toHaveLength(0);

    const [first, second] = await Promise.all([
      dispatch(dispatcher, actionEvent('in:argo-resubmit-confirm', value, kpatel)),
      dispatch(dispatcher, actionEvent('in:argo-resubmit-confirm', value, mdelgado)),
    ]);
    const texts = [first.replies[0]!.text, second.replies[0]!.text].sort();
    expect(texts[0]).toMatch(/^Workflow ansible-deploy-k2x9q resubmitted by (kpatel|mdelgado) as ansible-deploy-[0-9a-f]{5} \(namespace atmo-argo\)/);
    expect(texts[1]).toMatch(/^Workflow ansible-deploy-k2x9q was already resubmitted by (kpatel|mdelgado)\. Nothing was sent again/);
    expect(argo!.calls.filter((call) => call.method === 'PUT')).toHaveLength(1);
    const created = [...argo!.workflows.values()].find((workflow) => workflow.resubmittedFrom === 'ansible-deploy-k2x9q')!;
    const audited = await t.deps.db.select().from(auditLog).where(eq(auditLog.name, 'in:argo-resubmit-confirm'));
    expect(audited.map((row) => row.outcome).sort()).toEqual(['ok', 'refused']);
    expect(audited.find((row) => row.outcome === 'ok')!.detail).toMatchObject({ instanceId: vm.id, workflow: 'ansible-deploy-k2x9q', namespace: 'atmo-argo', resubmitted: created.name });
  });

  it("refuses a forged button naming another instance's workflow, or one that did not fail, sending nothing", async () => {
    const dispatcher = await withArgo([
      deployWorkflow({ name: 'ansible-deploy-other', uuid: 'someone-else', username: 'jsmith' }),
      deployWorkflow({ name: 'ansible-deploy-fine1', uuid: vm.uuid, username: 'alee2', failed: false }),
    ]);
    const other = (await dispatch(dispatcher, actionEvent('in:argo-resubmit-confirm', `${vm.id}:ansible-deploy-other`, kpatel))).replies[0]!;
    expect(other.text).toBe(`Workflow ansible-deploy-other is not a deployment of instance #${vm.id} (its instance_uuid label is someone-else). Nothing was resubmitted.`);
    const fine = (await dispatch(dispatcher, actionEvent('in:argo-resubmit-confirm', `${vm.id}:ansible-deploy-fine1`, kpatel))).replies[0]!;
    expect(fine.text).toBe('Workflow ansible-deploy-fine1 is Succeeded, not failed: there is nothing to resubmit.');
    const bad = (await dispatch(dispatcher, actionEvent('in:argo-resubmit', `${vm.id}:Not_A_Name`, kpatel))).replies[0]!;
    expect(bad.text).not.toMatch(/something went wrong/i);
    expect(argo!.calls.filter((call) => call.method === 'PUT')).toHaveLength(0);
    // A refusal gives the click back: once the workflow is its own and failed, it can be resubmitted.
    argo!.workflows.get('ansible-deploy-other')!.labels.instance_uuid = vm.uuid;
    const retried = (await dispatch(dispatcher, actionEvent('in:argo-resubmit-confirm', `${vm.id}:ansible-deploy-other`, kpatel))).replies[0]!;
    expect(retried.text).toMatch(/^Workflow ansible-deploy-other resubmitted by kpatel/);
  });
});
