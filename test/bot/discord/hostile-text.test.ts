import { describe, expect, it } from 'vitest';
import { renderReplyMessage } from '../../../src/bot/discord/render-reply.js';
import { escapeDiscordMarkdown } from '../../../src/bot/discord/escape-markdown.js';
import { restBody } from '../../../src/bot/discord/message-options.js';
import type { RequesterContext } from '../../../src/db/queries/requester-context.js';
import { renderPendingList, renderRequestDetail } from '../../../src/handlers/resource-requests/render-resource-request.js';
import type { ResourceRequestView } from '../../../src/db/queries/resource-requests.js';

/** What a cloud user can type into a resource request's "why" box. */
const HOSTILE = [
  '[Approve here](https://evil.example/approve)',
  '**URGENT** __staff__ ~~denied~~ ||secret|| *click*',
  '@everyone @here <@123456789012345678> <@&42> <#987654321> <t:1700000000:R>',
  '```js\nalert(1)\n``` and `inline`',
  '# Approved by admin',
  '-# small print',
  '> quoted staff note',
  'see https://docs.example.org/a_b*c',
].join('\n');

function request(description: string): ResourceRequestView {
  return {
    id: 12,
    uuid: '00000000-0000-4000-8000-000000000012',
    request: 'cpu=64 [more](https://evil.example/more)',
    description,
    adminMessage: '',
    startDate: new Date('2026-11-30T12:00:00Z'),
    endDate: null,
    status: 'pending',
    requester: { id: 7, username: 'mallory_', email: 'mallory@example.edu' },
  };
}

/**
 * Reduces escaped Discord markdown to what a client would treat as markup: every escaped character
 * (shown literally) and every `<url>` autolink (shown as the bare URL) becomes a plain letter, so
 * whatever markup syntax remains is what the client would act on.
 */
function unescapedMarkup(text: string): string {
  return text.replace(/<https?:\/\/[^\s>]+>/g, 'u').replace(/\\[^\sA-Za-z0-9]/g, 'x');
}

/** A requester with no account row, no use and no other requests. */
const NOTHING_ELSE: RequesterContext = { account: null, usage: [], recentInstances: [], instanceCount: 0, allocations: [], requestCounts: {}, recentRequests: [], firstApproval: null };

describe('Discord rendering of text cloud users wrote', () => {
  it('never turns a description into a masked link, formatting, a mention, a code block or a heading', () => {
    const message = renderReplyMessage(renderRequestDetail({ request: request(HOSTILE), quotas: [], allocations: [], decision: null, context: NOTHING_ELSE, now: new Date('2026-12-01T12:00:00Z') }));
    const why = message.embeds[0]!.fields!.find((field) => field.name === 'Why')!.value;
    const left = unescapedMarkup(why);
    expect(left).not.toMatch(/\[[^\]]*\]\(/);
    expect(left).not.toMatch(/\*\*|__|~~|\|\||```|`/);
    expect(left).not.toMatch(/<[@#&t:]/);
    expect(left).not.toMatch(/@everyone|@here/);
    expect(left).not.toMatch(/^#{1,3} |^-# |^>/m);
    // The link's target is shown as a plain URL, not hidden behind "Approve here".
    expect(why).toContain('\\[Approve here\\]\\(<https://evil.example/approve)>');
    expect(why).toContain('<https://docs.example.org/a_b*c>');
    // Nothing of what the user wrote is lost.
    expect(why.replace(/\\([^\sA-Za-z0-9])/g, '$1').replace(/<(https?:\/\/[^\s>]+)>/g, '$1')).toBe(HOSTILE);
  });

  it('escapes titles, field values and list sections, and keeps the bot\u2019s own numbering bold', () => {
    const list = renderPendingList({
      rows: [request('[Approve here](https://evil.example/approve)'), { ...request('**x**'), id: 13 }],
      total: 2,
      quotas: new Map(),
      now: new Date('2026-12-01T12:00:00Z'),
    });
    const message = renderReplyMessage(list);
    const first = message.embeds[1]!.description!;
    expect(first.startsWith('**1.** ')).toBe(true);
    expect(unescapedMarkup(first.slice('**1.** '.length))).not.toMatch(/\[[^\]]*\]\(|\*\*|_/);
    expect(first).toContain('mallory\\_');
    // The buttons are the bot's own and stay untouched.
    expect(message.components.flatMap((row) => row.components.map((button) => button.label))).toEqual(['1. Approve', '1. Deny', '2. Approve', '2. Deny']);
  });

  it('sends every message with mentions switched off', () => {
    const body = restBody(renderReplyMessage({ text: '@everyone look', visibility: 'channel' }));
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content).toBe('\\@everyone look');
  });

  it('escapes in one pass, even on a long line of markup characters', () => {
    const line = '*_'.repeat(200_000);
    expect(escapeDiscordMarkdown(line)).toBe('\\*\\_'.repeat(200_000));
  });
});
