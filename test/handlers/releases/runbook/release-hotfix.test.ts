import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findRunbookByTag, listRunbookItems } from '../../../../src/db/queries/release-runbooks.js';
import { createImageRegistry } from '../../../../src/integrations/registry/image-registry.js';
import { followRunbooks } from '../../../../src/handlers/releases/runbook/follow-runbooks.js';
import { findRunbookForMaintenance } from '../../../../src/handlers/releases/runbook/runbook-for-maintenance.js';
import { dbKinds, TEST_NOW } from '../../../support/databases.js';
import { actionEvent, dispatch } from '../../../support/test-deps.js';
import { startFakeDockerHub, type FakeDockerHub } from '../../../fakes/docker-hub.js';
import { mdelgado, shown, useReleaseHarness } from '../release-harness.js';

describe.each(dbKinds())('release hotfix, on %s', (kind) => {
  const h = useReleaseHarness(kind);
  let hub: FakeDockerHub;

  beforeEach(async () => {
    hub = await startFakeDockerHub();
    h.t.deps.images = createImageRegistry({ baseUrl: hub.url, timeoutMs: 2_000 });
    h.t.setNow(TEST_NOW);
  });
  afterEach(async () => {
    await hub.close();
  });

  it('posts the hotfix procedure with its commands filled in, and each Done is recorded once', async () => {
    hub.push('cyverse/atmosphere', 'v37-5-hotfix1', new Date('2026-11-23T15:00:00Z'));
    const { replies } = await h.run('release hotfix v37-5-hotfix1', mdelgado);
    expect(replies[0]!.text).toContain('The hotfix to cyverse/atmosphere:v37-5-hotfix1 is a checklist of 5 steps in slack:CANNOUNCE');
    expect(replies[0]!.text).toContain('cyverse/atmosphere:v37-5-hotfix1 is on Docker Hub (pushed 2026-11-23 15:00 UTC).');

    const runbook = (await findRunbookByTag(h.t.deps.db, 'hotfix cyverse/atmosphere:v37-5-hotfix1'))!;
    expect(runbook).toMatchObject({ kind: 'hotfix', driver: 'mdelgado', deploymentDay: '2026-11-23' });
    const post = h.t.chat.posts.find((one) => one.ref.id === runbook.messageId)!;
    expect(post.channel).toMatchObject({ platform: 'slack', channel: 'CANNOUNCE' });
    const text = shown(post.reply);
    expect(post.reply.title).toBe('Hotfix: cyverse/atmosphere:v37-5-hotfix1');
    for (const command of [
      'image: cyverse/atmosphere:v37-5-hotfix1',
      './atmosphere-docker.sh -f docker-compose.prod.yml up -d --scale atmosphere=2 --no-recreate --no-deps',
      'docker kill atmosphere-docker_atmosphere_1 && docker rm atmosphere-docker_atmosphere_1',
      './atmosphere-docker.sh -f docker-compose.prod.yml exec troposphere bash, then inside it: service nginx restart',
      'exec --index=2 atmosphere',
    ]) {
      expect(text).toContain(command);
    }
    // In the procedure's order.
    expect(text.indexOf('--scale atmosphere=2')).toBeLessThan(text.indexOf('docker kill'));
    expect(text.indexOf('docker kill')).toBeLessThan(text.indexOf('service nginx restart'));
    const done = post.reply.buttons!.filter((button) => button.action === 'rb:done');
    expect(done.map((button) => button.label)).toEqual(['Done: Compose file updated', 'Done: Scaled up to two', 'Done: Original removed', 'Done: Nginx restarted', 'Done: Crontab uses --index=2']);

    // Two people click the same Done at once: one tick, the other told who was first.
    const clicks = await Promise.all([dispatch(h.dispatcher, actionEvent('rb:done', done[0]!.value, mdelgado)), dispatch(h.dispatcher, actionEvent('rb:done', done[0]!.value, { id: 'op', actingAs: 'kpatel' }))]);
    const answers = clicks.map((click) => click.replies[0]!.text);
    expect(answers.filter((answer) => answer.includes('marked "docker-compose.prod.yml names the new image'))).toHaveLength(1);
    expect(answers.filter((answer) => answer.includes('was already marked done by'))).toHaveLength(1);
    const items = await listRunbookItems(h.t.deps.db, runbook.id);
    expect(items.filter((item) => item.doneAt)).toHaveLength(1);
    // The message was redrawn with the step done and its command no longer shown.
    const redrawn = shown(h.t.chat.updates.filter((update) => update.message.id === runbook.messageId).at(-1)!.reply);
    expect(redrawn).toMatch(/✓ docker-compose.prod.yml names the new image .*: done by (mdelgado|kpatel)/);
    expect(redrawn).not.toContain('under atmosphere: image:');

    const again = await h.run('release hotfix v37-5-hotfix1');
    expect(again.replies[0]!.text).toContain('already has its checklist');
  });

  it('says how to build an image Docker Hub does not have, and refuses a tag that is not one', async () => {
    const { replies } = await h.run('release hotfix v37-5-hotfix2 --image cyverse/troposphere');
    expect(replies[0]!.text).toContain(
      'cyverse/troposphere:v37-5-hotfix2 is not on Docker Hub: `pull` will not find it, so build it on the server first: git clone --depth 1 --branch v37-5-hotfix2 https://github.com/cyverse/troposphere.git',
    );
    const runbook = (await findRunbookByTag(h.t.deps.db, 'hotfix cyverse/troposphere:v37-5-hotfix2'))!;
    expect(shown(h.t.chat.posts.find((one) => one.ref.id === runbook.messageId)!.reply)).toContain('--scale troposphere=2 --no-recreate');

    const bad = await h.run('release hotfix -latest');
    expect(bad.replies[0]!.text).toContain('"-latest" is not a Docker image tag');
    expect(await findRunbookByTag(h.t.deps.db, 'hotfix cyverse/atmosphere:-latest')).toBeNull();
  });

  it('is reminded of only the day after it began, and never taken for the release a maintenance is for', async () => {
    await h.run('release hotfix v37-5-hotfix3');
    const runbook = (await findRunbookByTag(h.t.deps.db, 'hotfix cyverse/atmosphere:v37-5-hotfix3'))!;
    const reminders = () => h.t.chat.posts.filter((post) => post.thread?.id === runbook.messageId);
    await followRunbooks(h.t.deps, TEST_NOW);
    expect(reminders()).toHaveLength(0);
    await followRunbooks(h.t.deps, new Date('2026-11-24T17:00:00Z'));
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]!.reply.text).toContain('The hotfix cyverse/atmosphere:v37-5-hotfix3, Tue 24 Nov 2026 in America/Phoenix: steps are late.');
    expect(reminders()[0]!.reply.text).toContain('Not done since the hotfix began:');
    expect(reminders()[0]!.reply.text).toContain('Tick each with its Done button on the hotfix message.');
    // A maintenance starting on the hotfix's day belongs to no release.
    expect(await findRunbookForMaintenance(h.t.deps.db, { title: 'emergency', startsAt: new Date('2026-11-23T20:00:00Z') })).toBeNull();
  });
});
