import { describe, expect, it } from 'vitest';
import type { types } from '@slack/bolt';
import { reply, type Button, type FormSpec } from '../../../src/bot/chat/reply.js';
import {
  actionNameOf,
  escapeMrkdwn,
  readFormValues,
  renderFormView,
  renderReplyBlocks,
  SLACK_LIMITS,
} from '../../../src/bot/slack/render-reply.js';

type KnownBlock = types.KnownBlock;

function ofType<T extends KnownBlock['type']>(blocks: KnownBlock[], type: T): Extract<KnownBlock, { type: T }>[] {
  return blocks.filter((block): block is Extract<KnownBlock, { type: T }> => block.type === type);
}

function sectionText(block: KnownBlock | undefined): string | undefined {
  return block?.type === 'section' ? block.text?.text : undefined;
}

describe('renderReplyBlocks', () => {
  it('renders a text-only reply as one mrkdwn section with the same fallback text', () => {
    const { text, blocks } = renderReplyBlocks(reply('No pending requests.'));
    expect(text).toBe('No pending requests.');
    expect(blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'No pending requests.' } }]);
  });

  it('puts the title in a header, marked by the tone', () => {
    const { blocks } = renderReplyBlocks(reply('Two requests wait.', { title: 'Pending requests', tone: 'warning' }));
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: ':warning: Pending requests', emoji: true } });
    expect(sectionText(blocks[1])).toBe('Two requests wait.');
  });

  it('escapes &, < and > in user-supplied text, fields and footer', () => {
    const { text, blocks } = renderReplyBlocks(
      reply('<!channel> & <https://evil|click>', { fields: [{ label: 'Reason', value: 'a<b>' }], footer: 'by <@U1>' }),
    );
    expect(text).toBe('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
    expect(sectionText(blocks[0])).toBe('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
    const fields = ofType(blocks, 'section')[1]?.fields;
    expect(fields?.[0]).toEqual({ type: 'mrkdwn', text: '*Reason*\na&lt;b&gt;' });
    const context = ofType(blocks, 'context')[0];
    expect(context?.elements[0]).toEqual({ type: 'mrkdwn', text: 'by &lt;@U1&gt;' });
    expect(escapeMrkdwn('a&b')).toBe('a&amp;b');
  });

  it('splits more than ten fields over several sections', () => {
    const fields = Array.from({ length: 23 }, (_, index) => ({ label: `F${index}`, value: `v${index}` }));
    const { blocks } = renderReplyBlocks(reply('Quota', { fields }));
    const fieldSections = ofType(blocks, 'section').filter((block) => block.fields);
    expect(fieldSections.map((block) => block.fields?.length)).toEqual([10, 10, 3]);
    expect(fieldSections[2]?.fields?.[2]).toEqual({ type: 'mrkdwn', text: '*F22*\nv22' });
  });

  it('renders each section with its own actions block whose buttons carry action and value', () => {
    const section = (id: number) => ({
      text: `Request ${id}`,
      fields: [{ label: 'User', value: 'alice' }],
      buttons: [
        { label: 'Approve', action: 'rr:approve', value: String(id), style: 'primary' },
        { label: 'Deny', action: 'rr:deny', value: String(id), style: 'danger' },
        { label: 'Details', action: 'rr:show', value: String(id) },
      ] satisfies Button[],
    });
    const { blocks } = renderReplyBlocks(reply('Pending', { sections: [section(1), section(2)] }));
    expect(blocks.map((block) => block.type)).toEqual(['section', 'section', 'actions', 'section', 'actions']);
    // The section's own text and fields share one block.
    expect(blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Request 1' },
      fields: [{ type: 'mrkdwn', text: '*User*\nalice' }],
    });
    const actions = ofType(blocks, 'actions');
    expect(actions[1]?.elements).toEqual([
      { type: 'button', text: { type: 'plain_text', text: 'Approve', emoji: true }, action_id: 'rr:approve', value: '2', style: 'primary' },
      { type: 'button', text: { type: 'plain_text', text: 'Deny', emoji: true }, action_id: 'rr:deny', value: '2', style: 'danger' },
      { type: 'button', text: { type: 'plain_text', text: 'Details', emoji: true }, action_id: 'rr:show', value: '2' },
    ]);
  });

  it('keeps action ids unique within a block and recoverable as action names', () => {
    const { blocks } = renderReplyBlocks(
      reply('Pick one', {
        buttons: [
          { label: 'A', action: 'pick:one', value: '1' },
          { label: 'B', action: 'pick:one', value: '2' },
          { label: 'C', action: 'pick:one', value: '3' },
        ],
      }),
    );
    const ids = ofType(blocks, 'actions')[0]?.elements.map((element) => ('action_id' in element ? element.action_id : undefined));
    expect(ids).toEqual(['pick:one', 'pick:one#2', 'pick:one#3']);
    expect(ids?.map((id) => actionNameOf(id ?? ''))).toEqual(['pick:one', 'pick:one', 'pick:one']);
  });

  it('puts message-level buttons after the sections and the footer last', () => {
    const { blocks } = renderReplyBlocks(
      reply('List', {
        sections: [{ text: 'one' }],
        buttons: [{ label: 'Refresh', action: 'rr:list', value: '' }],
        footer: 'updated by alice',
      }),
    );
    expect(blocks.map((block) => block.type)).toEqual(['section', 'section', 'actions', 'context']);
  });

  it('cuts text past 3000 characters with a visible note', () => {
    const { blocks } = renderReplyBlocks(reply('x'.repeat(5000)));
    const text = sectionText(blocks[0]) ?? '';
    expect(text.length).toBe(SLACK_LIMITS.sectionText);
    expect(text.endsWith("… (cut at Slack's length limit)")).toBe(true);
  });

  it('counts escaped entities against the limit', () => {
    const { blocks } = renderReplyBlocks(reply('<'.repeat(1000)));
    const text = sectionText(blocks[0]) ?? '';
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(text.endsWith("… (cut at Slack's length limit)")).toBe(true);
  });

  it('stays within 50 blocks, dropping whole sections and saying how many', () => {
    const sections = Array.from({ length: 40 }, (_, index) => ({
      text: `Request ${index}`,
      buttons: [{ label: 'Approve', action: 'rr:approve', value: String(index) }],
    }));
    const { blocks } = renderReplyBlocks(reply('Pending', { title: 'Queue', sections, footer: 'page 1' }));
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(blocks[0]?.type).toBe('header');
    expect(blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'page 1' }] });
    const note = ofType(blocks, 'context').find((block) => JSON.stringify(block).includes('not shown'));
    // header + text + footer + note leave 46 blocks: 23 sections of two blocks each.
    expect(JSON.stringify(note)).toContain('17 more items not shown');
    // No section is cut between its text and its buttons.
    expect(blocks.at(-3)?.type).toBe('actions');
  });

  it('refuses a button value Slack would reject instead of cutting the record id', () => {
    expect(() => renderReplyBlocks(reply('x', { buttons: [{ label: 'Go', action: 'rr:show', value: '9'.repeat(2001) }] }))).toThrow(
      /longer than 2000/,
    );
  });
});

describe('renderFormView and readFormValues', () => {
  const form: FormSpec = {
    title: 'Deny resource request 42 for alice',
    submitLabel: 'Deny',
    fields: [
      { name: 'reason', label: 'Reason sent to the user', kind: 'multiline', required: true, placeholder: 'Why?', maxLength: 500 },
      { name: 'note', label: 'Staff note', kind: 'text', initial: 'none' },
    ],
  };

  it('renders a modal with one plain_text_input per field', () => {
    const view = renderFormView(form, '{"action":"rr:deny"}');
    expect(view.type).toBe('modal');
    expect(view.callback_id).toBe('atmo-form');
    expect(view.private_metadata).toBe('{"action":"rr:deny"}');
    expect(view.title.text.length).toBeLessThanOrEqual(SLACK_LIMITS.modalTitle);
    expect(view.submit?.text).toBe('Deny');
    expect(view.blocks).toEqual([
      {
        type: 'input',
        block_id: 'reason',
        optional: false,
        label: { type: 'plain_text', text: 'Reason sent to the user', emoji: true },
        element: {
          type: 'plain_text_input',
          action_id: 'reason',
          multiline: true,
          max_length: 500,
          placeholder: { type: 'plain_text', text: 'Why?', emoji: true },
        },
      },
      {
        type: 'input',
        block_id: 'note',
        optional: true,
        label: { type: 'plain_text', text: 'Staff note', emoji: true },
        element: { type: 'plain_text_input', action_id: 'note', multiline: false, max_length: 3000, initial_value: 'none' },
      },
    ]);
  });

  it('refuses metadata longer than Slack keeps', () => {
    expect(() => renderFormView(form, 'x'.repeat(3001))).toThrow(/metadata/);
  });

  it('reads submitted values back by field name, leaving out empty ones', () => {
    const values = readFormValues({
      state: {
        values: {
          reason: { reason: { value: 'over budget' } },
          note: { note: { value: null } },
        },
      },
    });
    expect(values).toEqual({ reason: 'over budget' });
  });
});
