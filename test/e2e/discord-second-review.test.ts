import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonClick, chatInput } from '../support/discord-interactions.js';
import { discordButtonIds, discordText, EPHEMERAL } from './discord-driver.js';
import { apiWrites, decisionsFor, errorLines, fileRequest, onlyIdentityOf, requestState } from './e2e-support.js';
import { DISCORD_USERS, startDiscordDeployment, type DiscordDeployment } from './discord-deployment.js';

const TOKEN = 'e2e-discord-bot-token';
const D = DISCORD_USERS;

describe.skipIf(!process.env.TEST_DATABASE_URL)('Discord end to end: a large allocation waits for a second reviewer (Postgres)', () => {
  let d: DiscordDeployment;
  const db = () => d.db();
  const send = <T extends object>(interaction: T): T => d.send(interaction);

  beforeAll(async () => {
    d = await startDiscordDeployment({ token: TOKEN, env: { SECOND_REVIEW_AU: '10000' }, links: [[D.kpatel, 'kpatel'], [D.mdelgado, 'mdelgado']] });
  });
  afterAll(async () => {
    await d?.stop();
  });

  it('/atmo approve records the first approval in the channel; twenty Confirm clicks by the other staff member grant it once', async () => {
    const id = await fileRequest(db(), 'pwright', 'Allocation: 20000 AU for the course');
    const identity = await onlyIdentityOf(db(), 'pwright');
    const approve = send(chatInput({ path: ['approve'], options: { id, allocation: '20000', message: 'Enjoy the course' }, userId: D.kpatel, username: 'kiran' }));
    const posted = await d.read.commandReply(approve);
    expect(posted.private).toBe(false);
    expect(discordText(posted)).toContain(`Request #${id} (pwright) was approved first by kpatel`);
    expect(discordText(posted)).toContain('pwright 20,000 AU is above SECOND_REVIEW_AU (10,000 AU)');
    expect(discordButtonIds(posted)).toEqual([`rr:confirm:${id}`, `rr:deny:${id}`]);
    expect(apiWrites(d.atmosphere)).toEqual([]);

    const own = send(buttonClick({ customId: `rr:confirm:${id}`, userId: D.kpatel, username: 'kiran' }));
    const refusal = await d.read.followUp(own);
    expect(discordText(refusal)).toMatch(/^You approved request #\d+ first .*has to confirm it\. Nothing was sent\.$/);
    expect(refusal.flags).toBe(EPHEMERAL);

    const clicks = Array.from({ length: 20 }, () => send(buttonClick({ customId: `rr:confirm:${id}`, messageId: '880000000000000010', userId: D.mdelgado, username: 'maria' })));
    const answers = await Promise.all(clicks.map((click) => d.read.followUp(click)));
    const texts = answers.map(discordText);
    expect(texts.filter((text) => text.startsWith(`Approved request #${id} from pwright as the second reviewer of kpatel's approval`))).toHaveLength(1);
    expect(texts.filter((text) => /(was|is being) approved by mdelgado/.test(text))).toHaveLength(19);

    const writes = apiWrites(d.atmosphere).map((call) => `${call.method} ${call.path}`);
    expect(writes.filter((write) => write.startsWith('PATCH /api/v2/allocation_sources/'))).toHaveLength(1);
    expect(writes.filter((write) => write === `PATCH /api/v2/admin/resource_requests/${id}`)).toHaveLength(1);
    expect(d.atmosphere.calls.find((call) => call.method === 'PATCH' && call.path.startsWith('/api/v2/allocation_sources/'))!.body).toEqual({ compute_allowed: 20_000 });
    expect(await requestState(db(), id)).toMatchObject({ status: 'approved', adminMessage: 'Enjoy the course' });
    expect(await decisionsFor(db(), id)).toMatchObject([{ state: 'done', decidedBy: 'mdelgado', platform: 'discord', plan: expect.objectContaining({ firstApprovedBy: 'kpatel' }) }]);
    expect((await onlyIdentityOf(db(), 'pwright')).quotaId).toBe(identity.quotaId);
    expect(errorLines(d.running.logLines)).toEqual([]);
  }, 120_000);
});
