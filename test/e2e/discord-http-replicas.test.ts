import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../src/db/bot-schema/audit-log.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { APPLICATION_ID, buttonClick, chatInput, GUILD_ID, modalSubmit } from '../support/discord-interactions.js';
import { createInteractionSigner } from '../support/discord-signer.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import { startMirroredAtmosphereApi } from './mirrored-atmosphere-api.js';
import { discordButtonIds, discordText, EPHEMERAL, type DiscordMessageBody } from './discord-driver.js';
import { apiWrites, decisionsFor, errorLines, productionEnv, requestIdOf, requestState, startE2eBot, waitFor, type E2eBot } from './e2e-support.js';

const TOKEN = 'e2e-discord-bot-token';
const D = { admin: '999000999000999000', mdelgado: '210000000000000003', kpatel: '210000000000000004' } as const;

interface Interaction {
  id: string;
  token: string;
}

/**
 * Discord over HTTP on two replicas of the real bot, one Postgres (and Redis when REDIS_URL is set),
 * behind a round-robin load balancer. Discord's side is played by a signer with a generated Ed25519
 * key (posting interactions as Discord does) and the fake Discord REST, which receives the follow-ups.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('Discord over HTTP: two replicas behind a round-robin proxy', () => {
  const signer = createInteractionSigner();
  let database: TestDatabase;
  let atmosphere: FakeAtmosphereApi;
  let discord: FakeDiscord;
  let slack: FakeSlackApi;
  let replicas: E2eBot[] = [];
  let proxy: RoundRobinProxy;
  const db = () => database.atmosphere.db;

  /** Posts an interaction through the proxy as Discord would; resolves with the HTTP answer's JSON. */
  async function send(interaction: object): Promise<{ type: number; data?: DiscordMessageBody & Record<string, unknown> }> {
    const response = await signer.post(`${proxy.url}/discord/interactions`, interaction);
    expect(response.status).toBe(200);
    return (await response.json()) as { type: number; data?: DiscordMessageBody & Record<string, unknown> };
  }

  const webhookRequest = (interaction: Interaction, method: 'PATCH' | 'POST') => {
    const path = method === 'PATCH' ? `/webhooks/${APPLICATION_ID}/${interaction.token}/messages/@original` : `/webhooks/${APPLICATION_ID}/${interaction.token}`;
    return waitFor(`${method} ${path}`, () => discord.requests.find((request) => request.method === method && request.path === path)).then((request) => request.body as DiscordMessageBody);
  };

  /** What a command showed: the HTTP answer itself when quick, else the edit of the deferred reply. */
  async function commandReply(interaction: Interaction & object): Promise<DiscordMessageBody> {
    const answer = await send(interaction);
    if (answer.type === 4) return answer.data ?? {};
    expect(answer.type).toBe(5);
    const edited = await webhookRequest(interaction, 'PATCH');
    return edited.content === 'Posted in the channel.' ? webhookRequest(interaction, 'POST') : edited;
  }

  async function link(userId: string, username: string): Promise<void> {
    const reply = await commandReply(chatInput({ path: ['link'], options: { user: `discord:${userId}`, username }, userId: D.admin, username: 'admin' }));
    expect(discordText(reply)).toMatch(new RegExp(`^Linked discord:${userId} to ${username}`));
  }

  const auditCountFor = async (eventId: string) => (await db().select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.eventId, eventId))).length;

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { troposphere: true, demo: true, now: new Date() });
    atmosphere = await startMirroredAtmosphereApi(db());
    discord = await startFakeDiscord({ token: TOKEN, applicationId: APPLICATION_ID });
    slack = await startFakeSlackApi();
    const env = productionEnv(database, atmosphere, {
      DISCORD_TOKEN: TOKEN,
      DISCORD_APPLICATION_ID: APPLICATION_ID,
      DISCORD_GUILD_ID: GUILD_ID,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_MODE: 'http',
      DISCORD_PUBLIC_KEY: signer.publicKeyHex,
      BOT_ADMINS: `discord:${D.admin}`,
      // Slack over HTTP too, as a deployment behind one load balancer serves both: Bolt's receiver
      // then owns PORT and hands /discord/interactions to the shared routes.
      SLACK_BOT_TOKEN: 'xoxb-e2e-token',
      SLACK_SIGNING_SECRET: 'e2e-slack-signing-secret',
      SLACK_API_URL: slack.url,
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    });
    const options = { discordRestOptions: { retries: 0, timeout: 5_000 }, slackClientOptions: { retryConfig: { retries: 0 } }, slackBotIds: { botId: 'B1', botUserId: 'UB1' } };
    for (let index = 0; index < 2; index += 1) replicas.push(await startE2eBot(env, options));
    proxy = await startRoundRobinProxy(replicas.map((replica) => `http://127.0.0.1:${replica.bot.port}`));
  });

  afterAll(async () => {
    await proxy?.close();
    for (const replica of replicas) await replica.bot.stop();
    replicas = [];
    await discord?.close();
    await slack?.close();
    await atmosphere?.close();
    await database?.drop();
  });

  it('opens no gateway session, registers /atmo with the bot token, and each replica is ready with the endpoint up', async () => {
    expect(discord.stats.connections).toBe(0);
    expect(discord.requests.filter((request) => request.method === 'PUT' && request.path === `/applications/${APPLICATION_ID}/guilds/${GUILD_ID}/commands`)).toHaveLength(2);
    for (const replica of replicas) {
      const response = await fetch(`http://127.0.0.1:${replica.bot.port}/readyz`);
      const body = (await response.json()) as { ok: boolean; components: Record<string, unknown> };
      expect(response.status).toBe(200);
      expect(body.components.discord).toEqual({ state: 'up', detail: 'interactions endpoint' });
      expect(body.components.slack).toMatchObject({ state: 'up' });
    }
  });

  it('answers the portal PING on every replica, and refuses a forged request on every replica', async () => {
    for (let index = 0; index < 2; index += 1) expect(await send({ type: 1, id: '1', application_id: APPLICATION_ID, token: 'ping', version: 1 })).toEqual({ type: 1 });
    const forged = createInteractionSigner();
    for (let index = 0; index < 2; index += 1) expect((await forged.post(`${proxy.url}/discord/interactions`, chatInput({ path: ['requests'] }))).status).toBe(401);
    expect(new Set(proxy.forwarded.slice(-4).map((request) => request.target))).toEqual(new Set([0, 1]));
  });

  it('lists, opens and approves a request through both replicas: each interaction handled once, one API call, the decision recorded', async () => {
    await link(D.mdelgado, 'mdelgado');
    const id = await requestIdOf(db(), 'alee');
    const before = proxy.forwarded.length;
    const detail = chatInput({ path: ['request'], options: { id }, userId: D.mdelgado });
    const shown = await commandReply(detail);
    expect(discordButtonIds(shown)).toEqual([`rr:approve:${id}`, `rr:deny:${id}`, `rr:close:${id}`]);

    const messageId = '880000000000000101';
    const click = buttonClick({ customId: `rr:approve:${id}`, messageId, userId: D.mdelgado });
    const modal = await send(click);
    expect(modal).toMatchObject({ type: 9, data: { custom_id: `rr:approve:${id}`, title: 'Approve resource request' } });
    expect(apiWrites(atmosphere)).toEqual([]);

    const submit = modalSubmit({ customId: `rr:approve:${id}`, values: { message: 'Approved over HTTP', quota: '', provider: '' }, messageId, userId: D.mdelgado });
    const redraw = await send(submit);
    // The redrawn message is the HTTP answer (UPDATE_MESSAGE); the confirmation a private follow-up.
    expect(redraw.type).toBe(7);
    expect(discordButtonIds(redraw.data ?? {})).toEqual([]);
    expect(discordText(redraw.data ?? {})).toMatch(/was approved by mdelgado .*\(on discord\)/);
    const confirmation = await webhookRequest(submit, 'POST');
    expect(discordText(confirmation)).toBe(`Approved request #${id} from alee; Atmosphere e-mails them your message.`);
    expect(confirmation.flags).toBe(EPHEMERAL);

    expect(apiWrites(atmosphere).map((call) => `${call.method} ${call.path}`)).toEqual([`PATCH /api/v2/admin/resource_requests/${id}`]);
    expect(await requestState(db(), id)).toMatchObject({ status: 'approved', adminMessage: 'Approved over HTTP' });
    expect(await decisionsFor(db(), id)).toMatchObject([{ state: 'done', decidedBy: 'mdelgado', platform: 'discord', chatUserId: D.mdelgado }]);
    // Three interactions, alternating between the replicas, each run once (one audit row each).
    const taken = proxy.forwarded.slice(before);
    expect(taken.map((request) => request.target)).toHaveLength(3);
    expect(new Set(taken.map((request) => request.target))).toEqual(new Set([0, 1]));
    for (const interaction of [detail, click, submit]) expect(await waitFor(`the audit row of ${interaction.id}`, async () => (await auditCountFor(interaction.id)) || null)).toBe(1);
  });

  it('lets one of six simultaneous approvals spread over both replicas through; the others are told who decided', async () => {
    await link(D.kpatel, 'kpatel');
    const id = await requestIdOf(db(), 'tgarcia');
    const submits = Array.from({ length: 6 }, (_, index) =>
      modalSubmit({
        customId: `rr:approve:${id}:list`,
        values: { message: 'Approved for the course', quota: '', provider: '' },
        messageId: '880000000000000102',
        userId: index % 2 === 0 ? D.mdelgado : D.kpatel,
      }),
    );
    await Promise.all(submits.map((submit) => send(submit)));
    const answers = await Promise.all(submits.map((submit) => webhookRequest(submit, 'POST')));
    expect(atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path === `/api/v2/admin/resource_requests/${id}`)).toHaveLength(1);
    const decisions = await decisionsFor(db(), id);
    expect(decisions).toHaveLength(1);
    const texts = answers.map(discordText);
    expect(texts.filter((text) => text.startsWith(`Approved request #${id} from tgarcia`))).toHaveLength(1);
    const losers = texts.filter((text) => !text.startsWith(`Approved request #${id}`));
    expect(losers).toHaveLength(5);
    for (const loser of losers) expect(loser).toMatch(new RegExp(`^Request #${id} (was|is being) approved by ${decisions[0]!.decidedBy}\\b`));
    for (const submit of submits) expect(await waitFor(`the audit row of ${submit.id}`, async () => (await auditCountFor(submit.id)) || null)).toBe(1);
    for (const replica of replicas) expect(errorLines(replica.logLines)).toEqual([]);
  });
});
