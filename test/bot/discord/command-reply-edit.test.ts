import { describe, expect, it } from 'vitest';
import { ComponentResponder, createCommandReplyIO } from '../../../src/bot/discord/interaction-io.js';
import type { InteractionCallbacks } from '../../../src/bot/discord/interaction-callbacks.js';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { createMemoryLogger } from '../../../src/logger.js';

/** Interaction callbacks that record which of Discord's routes the bot would call, in order. */
function recordingCallbacks() {
  const calls: { route: string; content?: string; ephemeral?: boolean }[] = [];
  let followUps = 0;
  const callbacks: InteractionCallbacks = {
    reply: async (message, _files, ephemeral) => void calls.push({ route: 'callback 4', content: message.content, ephemeral }),
    deferReply: async (ephemeral) => void calls.push({ route: 'callback 5', ephemeral }),
    update: async (message) => void calls.push({ route: 'callback 7', content: message.content }),
    deferUpdate: async () => void calls.push({ route: 'callback 6' }),
    followUp: async (message, _files, ephemeral) => {
      calls.push({ route: 'POST webhook', content: message.content, ephemeral });
      return `f${++followUps}`;
    },
    editFollowUp: async (id, message) => void calls.push({ route: `PATCH ${id}`, content: message.content }),
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

  it('edits a channel answer behind a private deferral as the follow-up it is', async () => {
    const { io, calls } = replyIO(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await io.respond(view('for everyone', 'channel'));
    expect(await io.editAnswer(view('whole', 'channel'))).toBe(true);
    expect(calls.map((call) => call.route)).toEqual(['callback 5', 'PATCH @original', 'POST webhook', 'PATCH f1']);
  });

  it('says it cannot edit an answer never sent, and sends nothing', async () => {
    const { io, calls } = replyIO(10_000);
    expect(await io.editAnswer(view('whole'))).toBe(false);
    await io.finish();
    expect(calls.map((call) => call.route)).toEqual(['callback 5', 'DELETE @original']);
  });
});

describe("a Discord click's answer, edited when late evidence arrives", () => {
  it('edits its first follow-up by id, never the message the button sat on', async () => {
    const { callbacks, calls } = recordingCallbacks();
    const responder = new ComponentResponder(callbacks, { deferAfterMs: 10_000, onDeferError: (error) => { throw error; }, log: createMemoryLogger('warn').log });
    expect(await responder.io.editAnswer!(view('nothing yet'))).toBe(false);
    await responder.io.respond(view('Still asking Nova'));
    await responder.io.respond(view('another note'));
    expect(await responder.io.editAnswer!(view('whole view'))).toBe(true);
    expect(calls.map((call) => call.route)).toEqual(['callback 6', 'POST webhook', 'POST webhook', 'PATCH f1']);
    expect(calls[3]!.content).toContain('whole view');
  });
});
