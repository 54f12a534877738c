import { describe, expect, it } from 'vitest';
import { createCommandReplyIO } from '../../../src/bot/discord/interaction-io.js';
import type { InteractionCallbacks } from '../../../src/bot/discord/interaction-callbacks.js';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { createMemoryLogger } from '../../../src/logger.js';

/** Interaction callbacks that record which of Discord's routes the bot would call, in order. */
function recordingCallbacks() {
  const calls: { route: string; content?: string; ephemeral?: boolean }[] = [];
  const callbacks: InteractionCallbacks = {
    reply: async (message, _files, ephemeral) => void calls.push({ route: 'callback 4', content: message.content, ephemeral }),
    deferReply: async (ephemeral) => void calls.push({ route: 'callback 5', ephemeral }),
    update: async (message) => void calls.push({ route: 'callback 7', content: message.content }),
    deferUpdate: async () => void calls.push({ route: 'callback 6' }),
    followUp: async (message, _files, ephemeral) => void calls.push({ route: 'POST webhook', content: message.content, ephemeral }),
    editOriginal: async (message) => void calls.push({ route: 'PATCH @original', content: message.content }),
    deleteOriginal: async () => void calls.push({ route: 'DELETE @original' }),
  };
  return { callbacks, calls };
}

const view = (text: string, visibility: Reply['visibility'] = 'ephemeral'): Reply => ({ text, visibility });

function replyIO(deferAfterMs: number) {
  const { callbacks, calls } = recordingCallbacks();
  const io = createCommandReplyIO(callbacks, { deferAfterMs, onDeferError: (error) => { throw error; }, log: createMemoryLogger('warn').log });
  return { io, calls };
}

describe("a Discord command's first answer, edited when late evidence arrives", () => {
  it('edits the answer that was the response itself through @original', async () => {
    const { io, calls } = replyIO(10_000);
    await io.respond(view('Still asking Nova'));
    expect(await io.editAnswer(view('Nova says no valid host'))).toBe(true);
    await io.finish();
    expect(calls.map((call) => call.route)).toEqual(['callback 4', 'PATCH @original']);
    expect(calls[1]!.content).toContain('Nova says no valid host');
  });

  it('edits the deferred reply it filled, after the deferral', async () => {
    const { io, calls } = replyIO(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await io.respond(view('Still asking Nova'));
    expect(await io.editAnswer(view('whole view'))).toBe(true);
    await io.finish();
    expect(calls.map((call) => call.route)).toEqual(['callback 5', 'PATCH @original', 'PATCH @original']);
    expect(calls[2]!.content).toContain('whole view');
  });

  it('says it cannot edit a channel answer behind a private deferral, or an answer never sent, and sends nothing', async () => {
    const deferred = replyIO(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await deferred.io.respond(view('for everyone', 'channel'));
    expect(await deferred.io.editAnswer(view('whole'))).toBe(false);
    expect(deferred.calls.map((call) => call.route)).toEqual(['callback 5', 'PATCH @original', 'POST webhook']);

    const silent = replyIO(10_000);
    expect(await silent.io.editAnswer(view('whole'))).toBe(false);
    await silent.io.finish();
    expect(silent.calls.map((call) => call.route)).toEqual(['callback 5', 'DELETE @original']);
  });
});
