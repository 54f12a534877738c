import { describe, expect, it } from 'vitest';
import { renderModal, renderReplyMessage } from '../../../src/bot/discord/render-reply.js';
import type { Reply } from '../../../src/bot/chat/reply.js';

const approve = { label: 'Approve', action: 'rr:approve', value: '42', style: 'primary' as const };
const deny = { label: 'Deny', action: 'rr:deny', value: '42', style: 'danger' as const };

describe('renderReplyMessage', () => {
  it('renders plain text as message content with no embeds and no buttons', () => {
    expect(renderReplyMessage({ text: 'No pending requests.' })).toEqual({ content: 'No pending requests.', embeds: [], components: [] });
  });

  it('marks an ephemeral reply with flag 64 and leaves a channel reply unflagged', () => {
    expect(renderReplyMessage({ text: 'Only you', visibility: 'ephemeral' })).toEqual({ content: 'Only you', embeds: [], components: [], flags: 64 });
    expect(renderReplyMessage({ text: 'Everyone', visibility: 'channel' })).toEqual({ content: 'Everyone', embeds: [], components: [] });
  });

  it('puts the buttons of a plain reply in one action row with their styles and action ids', () => {
    const reply: Reply = { text: 'Request 42', buttons: [approve, deny, { label: 'Details', action: 'rr:show', value: '42' }] };
    expect(renderReplyMessage(reply)).toEqual({
      content: 'Request 42',
      embeds: [],
      components: [
        {
          type: 1,
          components: [
            { type: 2, custom_id: 'rr:approve:42', label: 'Approve', style: 1 },
            { type: 2, custom_id: 'rr:deny:42', label: 'Deny', style: 4 },
            { type: 2, custom_id: 'rr:show:42', label: 'Details', style: 2 },
          ],
        },
      ],
    });
  });

  it('renders title, fields, footer and tone as one embed', () => {
    const reply: Reply = {
      text: 'bob asks for more cores',
      title: 'Resource request 42',
      fields: [
        { label: 'Requester', value: 'bob' },
        { label: 'Reason', value: 'A long justification\nover two lines' },
      ],
      footer: 'Approved by alice',
      tone: 'success',
    };
    expect(renderReplyMessage(reply)).toEqual({
      content: '',
      embeds: [
        {
          title: 'Resource request 42',
          description: 'bob asks for more cores',
          fields: [
            { name: 'Requester', value: 'bob', inline: true },
            { name: 'Reason', value: 'A long justification\nover two lines', inline: false },
          ],
          footer: { text: 'Approved by alice' },
          color: 0x57f287,
        },
      ],
      components: [],
    });
  });

  it('gives each section its own embed and numbered row of buttons, footer on the last embed', () => {
    const reply: Reply = {
      text: '2 pending requests',
      title: 'Pending',
      sections: [
        { text: '#41 from carol', fields: [{ label: 'Cores', value: '8' }], buttons: [{ ...approve, value: '41' }, { ...deny, value: '41' }] },
        { text: '#42 from bob', buttons: [approve, deny] },
      ],
      buttons: [{ label: 'Refresh', action: 'rr:list', value: 'pending' }],
      footer: 'as of 10:00',
    };
    expect(renderReplyMessage(reply)).toEqual({
      content: '',
      embeds: [
        { title: 'Pending', description: '2 pending requests' },
        { description: '**1.** #41 from carol', fields: [{ name: 'Cores', value: '8', inline: true }] },
        { description: '**2.** #42 from bob', footer: { text: 'as of 10:00' } },
      ],
      components: [
        {
          type: 1,
          components: [
            { type: 2, custom_id: 'rr:approve:41', label: '1. Approve', style: 1 },
            { type: 2, custom_id: 'rr:deny:41', label: '1. Deny', style: 4 },
          ],
        },
        {
          type: 1,
          components: [
            { type: 2, custom_id: 'rr:approve:42', label: '2. Approve', style: 1 },
            { type: 2, custom_id: 'rr:deny:42', label: '2. Deny', style: 4 },
          ],
        },
        { type: 1, components: [{ type: 2, custom_id: 'rr:list:pending', label: 'Refresh', style: 2 }] },
      ],
    });
  });

  it('packs buttons five to a row when sections need more than five rows, and says what was left out', () => {
    const sections = Array.from({ length: 9 }, (_, index) => ({
      text: `request ${index}`,
      buttons: [{ ...approve, value: String(index) }, { ...deny, value: String(index) }, { label: 'Show', action: 'rr:show', value: String(index) }],
    }));
    const rendered = renderReplyMessage({ text: 'many', title: 'Pending', sections });
    expect(rendered.components).toHaveLength(5);
    expect(rendered.components.map((row) => row.components.length)).toEqual([5, 5, 5, 5, 5]);
    expect(rendered.components[0]!.components.map((button) => button.label)).toEqual(['1. Approve', '1. Deny', '1. Show', '2. Approve', '2. Deny']);
    expect(rendered.content).toBe('2 more buttons not shown (Discord allows 25).');
    expect(rendered.embeds).toHaveLength(10);
  });

  it('keeps at most ten embeds and drops the buttons of sections it leaves out', () => {
    const sections = Array.from({ length: 12 }, (_, index) => ({ text: `s${index}`, buttons: [{ ...approve, value: String(index) }] }));
    const rendered = renderReplyMessage({ text: 'list', title: 'List', sections });
    expect(rendered.embeds).toHaveLength(10);
    expect(rendered.embeds[9]!.description).toBe('**9.** s8');
    const ids = rendered.components.flatMap((row) => row.components.map((button) => button.custom_id));
    expect(ids).toEqual(Array.from({ length: 9 }, (_, index) => `rr:approve:${index}`));
    expect(rendered.content).toBe('3 more not shown (Discord message limit).');
  });

  it('cuts over-long text visibly to Discord limits', () => {
    const rendered = renderReplyMessage({
      text: 'd'.repeat(5000),
      title: 't'.repeat(300),
      fields: Array.from({ length: 30 }, (_, index) => ({ label: `f${index}`, value: index === 0 ? 'v'.repeat(2000) : '' })),
    });
    const [main] = rendered.embeds;
    expect(main!.title).toBe(`${'t'.repeat(255)}…`);
    const marker = "… (cut at Discord's length limit)";
    expect(main!.description).toBe(`${'d'.repeat(4096 - marker.length)}${marker}`);
    expect(main!.fields).toHaveLength(25);
    expect(main!.fields![0]!.value).toBe(`${'v'.repeat(1024 - marker.length)}${marker}`);
    expect(main!.fields![1]!.value).toBe('—');
    expect(main!.fields![24]).toEqual({ name: '…', value: '6 more fields not shown', inline: false });
  });

  it('names the command that shows everything when a limit cuts the text', () => {
    const rendered = renderReplyMessage({ text: 'x', title: 'Imaging request #12', fields: [{ label: 'Status message', value: 'y'.repeat(3000) }], fullTextAt: '/atmo imaging show 12' });
    expect(rendered.embeds[0]!.fields![0]!.value.endsWith('y… (cut; /atmo imaging show 12 has all of it)')).toBe(true);
    expect(rendered.embeds[0]!.fields![0]!.value).toHaveLength(1024);
  });

  it('moves plain text longer than a message into an embed', () => {
    const rendered = renderReplyMessage({ text: 'x'.repeat(2500) });
    expect(rendered.content).toBe('');
    expect(rendered.embeds).toEqual([{ description: 'x'.repeat(2500) }]);
  });

  it('keeps all embeds within 6000 characters by dropping sections', () => {
    const sections = Array.from({ length: 5 }, (_, index) => ({ text: `${index}`.repeat(1500) }));
    const rendered = renderReplyMessage({ text: 'big', title: 'Big', sections });
    expect(rendered.embeds).toHaveLength(4);
    expect(rendered.content).toBe('2 more not shown (Discord message limit).');
  });
});

describe('renderModal', () => {
  it('renders a form as labelled short and paragraph text inputs', () => {
    const modal = renderModal(
      {
        title: 'Deny resource request 42',
        submitLabel: 'Deny',
        fields: [
          { name: 'reason', label: 'Reason sent to the user', kind: 'multiline', required: true, placeholder: 'Why', maxLength: 1000 },
          { name: 'cc', label: 'Copy to', kind: 'text', initial: 'support@example.org' },
        ],
      },
      'rr:deny:42',
    );
    expect(modal).toEqual({
      custom_id: 'rr:deny:42',
      title: 'Deny resource request 42',
      components: [
        {
          type: 18,
          label: 'Reason sent to the user',
          component: { type: 4, custom_id: 'reason', style: 2, required: true, max_length: 1000, placeholder: 'Why' },
        },
        {
          type: 18,
          label: 'Copy to',
          component: { type: 4, custom_id: 'cc', style: 1, required: false, max_length: 4000, value: 'support@example.org' },
        },
      ],
    });
  });

  it('refuses more than five inputs and cuts titles to 45 characters', () => {
    const field = { name: 'f', label: 'F', kind: 'text' as const };
    expect(() => renderModal({ title: 'x', submitLabel: 'ok', fields: Array.from({ length: 6 }, () => field) }, 'a:b:1')).toThrow(/more than 5/);
    expect(renderModal({ title: 'y'.repeat(60), submitLabel: 'ok', fields: [field] }, 'a:b:1').title).toBe(`${'y'.repeat(44)}…`);
  });
});
