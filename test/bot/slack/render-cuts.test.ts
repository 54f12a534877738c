import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { renderReplyBlocksWithCuts, SLACK_LIMITS } from '../../../src/bot/slack/render-reply.js';

const FILE = { name: 'imaging-request-3.txt', attached: true };

describe('Slack rendering reports every cut, so the full text can follow as a file', () => {
  it('reports nothing cut for a reply within the limits', () => {
    expect(renderReplyBlocksWithCuts({ title: 'T', text: 'short', fields: [{ label: 'a', value: 'b' }] }, FILE).cut).toBe(false);
  });

  it.each<[string, Reply]>([
    ['a long text', { text: 'x'.repeat(SLACK_LIMITS.sectionText + 1) }],
    ['a long field', { text: 't', fields: [{ label: 'Status message', value: 'y'.repeat(SLACK_LIMITS.fieldText) }] }],
    ['a long section', { text: 't', sections: [{ text: 'z'.repeat(SLACK_LIMITS.sectionText + 1) }] }],
    ['a long title', { title: 'w'.repeat(SLACK_LIMITS.headerText + 1), text: 't' }],
    ['sections past the block limit', { text: 't', sections: Array.from({ length: 60 }, (_, i) => ({ text: `item ${i}` })) }],
  ])('reports %s as cut, and the marker names the attached file', (_what, reply) => {
    const rendered = renderReplyBlocksWithCuts(reply, FILE);
    expect(rendered.cut).toBe(true);
    if (!reply.title) expect(JSON.stringify(rendered.blocks)).toMatch(/the attached file imaging-request-3\.txt/);
  });

  it('says the file could not be attached when it was not', () => {
    const rendered = renderReplyBlocksWithCuts({ text: 'x'.repeat(5000), fullTextAt: '/atmo imaging show 3' }, { name: 'f.txt', attached: false });
    expect(JSON.stringify(rendered.blocks)).toContain('… (cut; /atmo imaging show 3 has all of it; the file with the full text could not be attached)');
  });
});
