import { describe, expect, it } from 'vitest';
import { renderReplyBlocks } from '../../../src/bot/slack/render-reply.js';

/** Every mrkdwn text object in the blocks, where Slack would read `<…>` as a link or mention. */
function mrkdwnTexts(blocks: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record['type'] === 'mrkdwn' && typeof record['text'] === 'string') found.push(record['text']);
      Object.values(record).forEach(walk);
    }
  };
  walk(blocks);
  return found;
}

describe('Slack rendering of text cloud users wrote', () => {
  const hostile = '<https://evil.example/approve|Approve here> <!channel> <!here> <@U0ADMIN> <#C0OPS> AT&T &lt;already&gt;';

  it('escapes &, < and > everywhere, so no link, mention or channel tag can form', () => {
    const rendered = renderReplyBlocks({
      title: 'Request #12',
      text: `Why: ${hostile}`,
      fields: [{ label: 'Asks for', value: hostile }],
      sections: [{ text: hostile }],
      footer: hostile,
    });
    const texts = [...mrkdwnTexts(rendered.blocks), rendered.text];
    expect(texts.length).toBeGreaterThanOrEqual(5);
    for (const text of texts) {
      expect(text).not.toMatch(/[<>]/);
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(text).toContain('&lt;https://evil.example/approve|Approve here&gt; &lt;!channel&gt;');
      expect(text).toContain('AT&amp;T &amp;lt;already&amp;gt;');
    }
  });

  it('cuts at the section limit with a marker naming where all of it is, never inside an entity', () => {
    const rendered = renderReplyBlocks({ text: '&'.repeat(1000), fullTextAt: '/atmo request 12' });
    const section = mrkdwnTexts(rendered.blocks)[0]!;
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section.endsWith('&amp;… (cut; /atmo request 12 has all of it)')).toBe(true);
  });
});
