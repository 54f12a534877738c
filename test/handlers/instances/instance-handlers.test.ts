import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { instance } from '../../../src/db/atmosphere-schema.js';
import { listRequestEvents } from '../../../src/db/queries/request-events.js';
import { dbKinds } from '../../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const jsmith = { id: 'c-jsmith', actingAs: 'jsmith' };

async function idOf(t: TestContext, name: string): Promise<number> {
  const [row] = await t.deps.db.select({ id: instance.id }).from(instance).where(eq(instance.name, name));
  return row!.id;
}

describe.each(dbKinds())('instance commands on %s', (kind) => {
  let t: TestContext;

  // One database per kind: the tests read the demo, and only the last one changes an instance.
  beforeAll(async () => {
    t = await createTestContext(kind, { env: { ATMOSPHERE_WEB_URL: 'https://atmo.example.org', ARGO_NAMESPACE: 'atmo-argo' } });
  }, 180_000);
  afterAll(async () => {
    await t?.database.drop();
  });

  it('shows one instance by name with owner, image, timeline, triage, the filled-in tools and the Redeploy step', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent('instance docker-dev', kpatel));
    const reply = replies[0]!;
    const id = await idOf(t, 'docker-dev');
    expect(reply.title).toBe(`Instance #${id} "docker-dev": deploy error`);
    const fields = Object.fromEntries(reply.fields!.map((field) => [field.label, field.value]));
    expect(fields['Owner']).toBe('alee2');
    expect(fields['IP']).toBe('149.165.157.133');
    expect(fields['Image']).toMatch(/ProviderMachine [0-9a-f-]{36}/);
    expect(fields['Status']).toMatch(/^deploy_error \/ deploy_error since /);
    const body = reply.sections!.map((section) => section.text).join('\n');
    expect(body).toMatch(/build \/ spawning: from .*, 4 min/);
    expect(body).toMatch(/networking \/ networking: from .*, 6 min/);
    const [row] = await t.deps.db.select({ uuid: instance.providerAlias }).from(instance).where(eq(instance.id, id));
    expect(body).toContain(`argo list -n atmo-argo -l instance_uuid=${row!.uuid}`);
    expect(body).toContain('https://atmo.example.org/application/emulate/alee2');
    expect(body).toContain(`atmosphere_deploy.d/alee2/${row!.uuid}/`);
    // Atmosphere lists Terminate, Reboot and Hard Reboot for a deploy_error status, not Redeploy
    // (valid_instance_actions), so the guide's next available step is the soft reboot.
    expect(reply.buttons!.map((b) => `${b.action}:${b.value}`)).toEqual([`in:step:${id}:reboot-soft`, `in:report:${id}`]);
    expect(body).toContain('Not offered by Atmosphere for this instance now: Redeploy.');
  });

  it('lists every instance in error or stuck, oldest first, and filters by provider', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent('instances stuck', kpatel));
    const names = replies[0]!.sections!.map((section) => section.text.split('*')[1]);
    expect(names.map((name) => name!.replace(/^#\d+ /, ''))).toEqual(['workshop-docker', 'docker-dev', 'blast-runner', 'thesis-sim-02', 'gpu-test']);
    // intro-to-linux has been in networking for 10 minutes only: not stuck yet.
    const tucson = await dispatch(t.dispatcher, commandEvent('instances stuck cyverse cloud - tucson', kpatel));
    expect(tucson.replies[0]!.text).toMatch(/^2 instances in error or stuck on cyverse cloud - tucson/);
    expect(tucson.replies[0]!.sections!.map((section) => section.text.split('*')[1]!.replace(/^#\d+ /, ''))).toEqual(['workshop-docker', 'blast-runner']);
    const unknown = await dispatch(t.dispatcher, commandEvent('instances stuck Mars', kpatel));
    expect(unknown.replies[0]!.text).toMatch(/There is no provider "Mars".*Jetstream - TACC/);
  });

  it('says what was wrong when nothing matches, and refuses non-staff', async () => {
    const none = await dispatch(t.dispatcher, commandEvent('instance no-such-vm', kpatel));
    expect(none.replies[0]!.text).toMatch(/No instance matches "no-such-vm"/);
    const notStaff = await dispatch(t.dispatcher, commandEvent('instance docker-dev', jsmith));
    expect(notStaff.replies[0]!.text).toMatch(/staff/i);
  });

  it('writes the guide\'s report for the Atmosphere team', async () => {
    const id = await idOf(t, 'gpu-test');
    const { replies } = await dispatch(t.dispatcher, commandEvent(`instance report ${id}`, kpatel));
    const text = replies[0]!.text;
    expect(text).toMatch(/^Username: dchen\nInstance ID: [0-9a-f-]{36}\nIP Address: none\nCloud Provider: Jetstream - TACC\nImage\/Application selected: .*ProviderMachine [0-9a-f-]{36}\nSize selected: m1.large/);
    expect(text).toContain('Fault message from nova:');
    expect(text).toContain('Additional notes from triage:');
  });

  it('runs a step only after the confirmation, once, and records it for the thread', async () => {
    const id = await idOf(t, 'docker-dev');
    const step = await dispatch(t.dispatcher, actionEvent('in:step', `${id}:reboot-soft`, kpatel));
    const confirm = step.replies[0]!;
    expect(confirm.text).toMatch(/Soft reboot instance #\d+ "docker-dev" \([0-9a-f-]{36}\) of alee2 on /);
    expect(await listRequestEvents(t.deps.db, 'instance', [id])).toHaveLength(0);
    const [ok] = confirm.buttons!;
    const first = await dispatch(t.dispatcher, actionEvent(ok!.action, ok!.value, kpatel));
    expect(first.replies[0]!.text).toMatch(/Soft reboot sent for instance/);
    const again = await dispatch(t.dispatcher, actionEvent(ok!.action, ok!.value, kpatel));
    expect(again.replies[0]!.text).toMatch(new RegExp(`^Instance #${id} was soft-rebooted by kpatel at .*Nothing more was done\\.$`));
    expect((await listRequestEvents(t.deps.db, 'instance', [id])).map((event) => event.action)).toEqual(['rebooted-soft']);
  });

  it('lists the matches of an ambiguous name, current first, each with its Show button', async () => {
    const [current, deleted] = [await idOf(t, 'blast-runner'), await idOf(t, 'thesis-sim-02')];
    await t.deps.db.update(instance).set({ name: 'lab-vm' }).where(eq(instance.id, current));
    await t.deps.db.update(instance).set({ name: 'lab-vm', endDate: new Date('2026-11-20T12:00:00Z') }).where(eq(instance.id, deleted));

    const { replies } = await dispatch(t.dispatcher, commandEvent('instance lab-vm', kpatel));
    const reply = replies[0]!;
    expect(reply.text).toBe('2 instances match "lab-vm"; pick one, or ask again by id or uuid.');
    expect(reply.sections!.map((section) => section.text.split('\n')[0]!.split(' of ')[0])).toEqual([`#${current} *lab-vm*`, `#${deleted} *lab-vm*`]);
    expect(reply.sections![0]!.text).not.toContain('(deleted)');
    expect(reply.sections![1]!.text).toContain('(deleted)');
    expect(reply.sections!.map((section) => section.buttons![0]!.value)).toEqual([String(current), String(deleted)]);
    // Nothing is shown as if it were the one meant, and no step is offered from the list.
    expect(reply.buttons ?? []).toEqual([]);

    // Case does not matter when no name matches exactly; Show opens the one picked.
    const upper = await dispatch(t.dispatcher, commandEvent('instance LAB-VM', kpatel));
    expect(upper.replies[0]!.sections).toHaveLength(2);
    const show = reply.sections![1]!.buttons![0]!;
    const shown = await dispatch(t.dispatcher, actionEvent(show.action, show.value, kpatel));
    expect(shown.replies[0]!.title).toMatch(new RegExp(`^Instance #${deleted} "lab-vm"`));
  });
});
