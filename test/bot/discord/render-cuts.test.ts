import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { DISCORD_LIMITS, renderReplyMessageWithCuts } from '../../../src/bot/discord/render-reply.js';

const FILE = { name: 'imaging-request-3.txt', attached: true };

describe('Discord rendering reports every cut, so the full text can follow as a file', () => {
  it('reports nothing cut for a reply within the limits', () => {
    expect(renderReplyMessageWithCuts({ title: 'T', text: 'short', fields: [{ label: 'a', value: 'b' }] }, FILE).cut).toBe(false);
  });

  it.each<[string, Reply]>([
    ['a long text', { text: 'x'.repeat(DISCORD_LIMITS.embedDescription + 1) }],
    ['a long field', { text: 't', fields: [{ label: 'Status message', value: 'y'.repeat(DISCORD_LIMITS.fieldValue + 1) }] }],
    ['too many fields', { text: 't', fields: Array.from({ length: 30 }, (_, i) => ({ label: `f${i}`, value: 'v' })) }],
    ['sections past the 6000-character budget', { text: 't', sections: Array.from({ length: 4 }, () => ({ text: 'z'.repeat(3000) })) }],
    ['a long title', { title: 'w'.repeat(DISCORD_LIMITS.embedTitle + 1), text: 't' }],
  ])('reports %s as cut', (_what, reply) => {
    expect(renderReplyMessageWithCuts(reply, FILE).cut).toBe(true);
  });

  it('names the attached file in the marker of a cut field', () => {
    const { message } = renderReplyMessageWithCuts({ title: 'T', text: 't', fields: [{ label: 'Status message', value: 'y'.repeat(3000) }] }, FILE);
    expect(message.embeds[0]!.fields![0]!.value).toMatch(/… \(cut; the full text is in the attached file imaging-request-3\.txt\)$/);
    expect(message.embeds[0]!.fields![0]!.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
  });
});
