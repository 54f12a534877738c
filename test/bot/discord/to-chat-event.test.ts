import { describe, expect, it } from 'vitest';
import { toChatEvent } from '../../../src/bot/discord/to-chat-event.js';
import { buttonClick, chatInput, CHANNEL_ID, modalSubmit, USER_ID } from '../../support/discord-interactions.js';

const at = new Date('2024-05-01T12:00:00Z');

describe('toChatEvent', () => {
  it('turns a slash command into a CommandEvent with reconstructed text and typed options', () => {
    const interaction = chatInput({ path: ['maintenance', 'start'], options: { title: 'Cloud upgrade', hours: 4, 'dry-run': true } });
    expect(toChatEvent(interaction, at)).toEqual({
      id: interaction.id,
      kind: 'command',
      platform: 'discord',
      user: { platform: 'discord', id: USER_ID, displayName: 'alice' },
      channel: CHANNEL_ID,
      receivedAt: at,
      text: 'maintenance start --title "Cloud upgrade" --hours 4 --dry-run true',
      options: { path: ['maintenance', 'start'], values: { title: 'Cloud upgrade', hours: 4, 'dry-run': true } },
    });
  });

  it('turns a button click into an ActionEvent naming the action, record and message', () => {
    const interaction = buttonClick({ customId: 'rr:approve:42', messageId: '555' });
    expect(toChatEvent(interaction, at)).toEqual({
      id: interaction.id,
      kind: 'action',
      platform: 'discord',
      user: { platform: 'discord', id: USER_ID, displayName: 'alice' },
      channel: CHANNEL_ID,
      receivedAt: at,
      action: 'rr:approve',
      value: '42',
      message: { platform: 'discord', channel: CHANNEL_ID, id: '555' },
    });
  });

  it('keeps a thread as threadId and its parent as channel for a click inside a thread', () => {
    const interaction = buttonClick({ customId: 'alert:ack:7', messageId: '556', channelId: '888', threadParentId: '777' });
    expect(toChatEvent(interaction, at)).toMatchObject({ channel: '888', message: { platform: 'discord', channel: '777', id: '556', threadId: '888' } });
  });

  it('still dispatches a button id that is not ours, as unknown:button', () => {
    const event = toChatEvent(buttonClick({ customId: 'Some Other Bot!' }), at);
    expect(event).toMatchObject({ kind: 'action', action: 'unknown:button', value: 'Some Other Bot!' });
  });

  it('turns a modal submission into an ActionEvent with form values and the source message', () => {
    const interaction = modalSubmit({ customId: 'rr:deny:42', values: { reason: 'Too many cores', cc: '' }, messageId: '555' });
    expect(toChatEvent(interaction, at)).toMatchObject({
      kind: 'action',
      action: 'rr:deny',
      value: '42',
      form: { reason: 'Too many cores', cc: '' },
      message: { platform: 'discord', channel: CHANNEL_ID, id: '555' },
    });
  });

  it('reads form values from legacy action-row modals too', () => {
    const event = toChatEvent(modalSubmit({ customId: 'rr:deny:42', values: { reason: 'No' }, legacyRows: true }), at);
    expect(event).toMatchObject({ form: { reason: 'No' } });
    expect(event).not.toHaveProperty('message');
  });

  it('ignores other bots', () => {
    expect(toChatEvent(chatInput({ path: ['requests'], bot: true }), at)).toBeNull();
  });
});
