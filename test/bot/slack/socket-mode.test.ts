import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ChatEvent } from '../../../src/bot/chat/chat-event.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { reply } from '../../../src/bot/chat/reply.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { createSlackApp, type SlackApp } from '../../../src/bot/slack/slack-app.js';
import { memoryFormStates } from '../../support/form-states.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../fakes/slack-api.js';
import { slashCommand } from '../../support/slack-requests.js';

describe('Slack app over Socket Mode (real Bolt, fake apps.connections.open and WebSocket)', () => {
  let fake: FakeSlackApi;
  let wss: WebSocketServer;
  let slack: SlackApp;
  const sockets: WebSocket[] = [];
  const fromClient: Record<string, unknown>[] = [];
  const received: ChatEvent[] = [];

  const dispatcher: Dispatcher = {
    commands: [],
    actions: [],
    checkForm: async () => null,
    async handle(event, io) {
      received.push(event);
      await io.respond(reply(`you said: ${event.kind === 'command' ? event.text : ''}`));
      return { kind: 'done' };
    },
  };

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (socket) => {
      sockets.push(socket);
      socket.on('message', (data) => fromClient.push(JSON.parse(String(data)) as Record<string, unknown>));
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A1' } }));
    });
    const address = wss.address();
    if (address === null || typeof address !== 'object') throw new Error('no WebSocket port');
    fake.setSocketUrl(`ws://127.0.0.1:${address.port}/link?ticket=t1`);

    const { log } = createMemoryLogger('warn');
    slack = createSlackApp({
      botToken: 'xoxb-test-token',
      formStates: memoryFormStates(),
      appToken: 'xapp-test-token',
      apiUrl: fake.url,
      port: 0,
      host: '127.0.0.1',
      dispatcher,
      log,
      clientOptions: { retryConfig: { retries: 0 } },
      botId: 'B1',
      botUserId: 'UB1',
    });
    // Nothing listens on a port in Socket Mode: main.ts serves /healthz itself.
    expect(await slack.start()).toBeUndefined();
  });

  afterAll(async () => {
    await slack.stop();
    for (const socket of sockets) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await fake.close();
  });

  it('opens the connection with the app token', () => {
    const open = fake.calls.find((call) => call.method === 'apps.connections.open');
    expect(open?.token).toBe('xapp-test-token');
  });

  it('acks a slash_commands envelope over the socket and dispatches the command', async () => {
    const socket = sockets[0];
    expect(socket).toBeDefined();
    socket?.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: slashCommand({ text: 'requests', userId: 'U4', responseUrl: fake.responseUrl('socket-cmd'), triggerId: '3.3.socket' }),
      }),
    );
    const ack = await fake.waitFor(() => fromClient.find((message) => message['envelope_id'] === 'env-1'));
    expect(ack).toEqual({ envelope_id: 'env-1', payload: {} });
    const answer = await fake.waitFor(() => fake.responses.find((r) => r.id === 'socket-cmd'));
    expect(answer.body).toMatchObject({ text: 'you said: requests', response_type: 'ephemeral' });
    expect(received[0]).toMatchObject({ kind: 'command', id: '3.3.socket', text: 'requests', user: { id: 'U4' } });
  });
});
