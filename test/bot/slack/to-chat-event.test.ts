import { describe, expect, it } from 'vitest';
import type { BlockAction, SlashCommand, ViewSubmitAction } from '@slack/bolt';
import {
  blockActionToEvent,
  encodeFormMetadata,
  parseFormMetadata,
  slashCommandToEvent,
  viewSubmissionToEvent,
} from '../../../src/bot/slack/to-chat-event.js';
import { blockAction, slashCommand, viewSubmission } from '../../support/slack-requests.js';

const arrival = { receivedAt: new Date('2026-11-21T10:00:00Z'), fallbackId: 'generated-1' };

// The builders produce the JSON Slack sends; Bolt hands it to listeners typed as below.
const asSlash = (fields: Record<string, string>) => fields as SlashCommand;
const asAction = (payload: object) => payload as BlockAction;
const asView = (payload: object) => payload as ViewSubmitAction;

describe('slashCommandToEvent', () => {
  it('takes the text after /atmo, the user, the channel and the trigger id as event id', () => {
    const body = slashCommand({ text: '  request 42 ', userId: 'U9', channelId: 'C7', triggerId: '11.22.ab' });
    expect(slashCommandToEvent(asSlash(body), arrival)).toEqual({
      kind: 'command',
      id: '11.22.ab',
      platform: 'slack',
      user: { platform: 'slack', id: 'U9', displayName: 'alice' },
      channel: 'C7',
      receivedAt: arrival.receivedAt,
      text: 'request 42',
    });
  });

  it('generates an event id when Slack sent no trigger id', () => {
    const body = slashCommand({ text: 'help', triggerId: '' });
    expect(slashCommandToEvent(asSlash(body), arrival).id).toBe('generated-1');
  });
});

describe('blockActionToEvent', () => {
  const base = { messageTs: '1700000000.000100', channelId: 'C1', responseUrl: 'https://hooks.slack.com/actions/x' };

  it('turns a button click into an ActionEvent on the clicked message', () => {
    const converted = blockActionToEvent(asAction(blockAction({ ...base, actionId: 'rr:approve', value: '42', userId: 'U2', triggerId: 't.1' })), arrival);
    expect(converted?.event).toEqual({
      kind: 'action',
      id: 't.1',
      platform: 'slack',
      user: { platform: 'slack', id: 'U2', displayName: 'alice' },
      channel: 'C1',
      receivedAt: arrival.receivedAt,
      action: 'rr:approve',
      value: '42',
      message: { platform: 'slack', channel: 'C1', id: '1700000000.000100' },
    });
    expect(converted?.source).toEqual({
      channel: 'C1',
      messageTs: '1700000000.000100',
      ephemeral: false,
      responseUrl: 'https://hooks.slack.com/actions/x',
    });
  });

  it('strips the uniqueness suffix from the action id', () => {
    const converted = blockActionToEvent(asAction(blockAction({ ...base, actionId: 'pick:one#3', value: '3' })), arrival);
    expect(converted?.event.action).toBe('pick:one');
  });

  it('keeps the thread of a click inside a thread, and notes an ephemeral source', () => {
    const payload = blockAction({ ...base, actionId: 'alert:ack', value: '7', threadTs: '1699999999.000001', ephemeral: true });
    const converted = blockActionToEvent(asAction(payload), arrival);
    expect(converted?.event.message).toEqual({
      platform: 'slack',
      channel: 'C1',
      id: '1700000000.000100',
      threadId: '1699999999.000001',
    });
    expect(converted?.source.ephemeral).toBe(true);
  });

  it('ignores action ids that are not ours', () => {
    expect(blockActionToEvent(asAction(blockAction({ ...base, actionId: 'SomeOtherApp_Button', value: '1' })), arrival)).toBeNull();
  });

  it('ignores elements other than buttons', () => {
    const payload = blockAction({ ...base, actionId: 'rr:approve', value: '1' });
    const select = { ...payload, actions: [{ type: 'static_select', action_id: 'rr:approve', block_id: 'b', action_ts: '1' }] };
    expect(blockActionToEvent(asAction(select), arrival)).toBeNull();
  });
});

describe('viewSubmissionToEvent', () => {
  const metadata = {
    action: 'rr:deny',
    value: '42',
    channel: 'C1',
    messageTs: '1700000000.000100',
    ephemeral: false,
    responseUrl: 'https://hooks.slack.com/actions/x',
    user: 'U3',
  };

  it('rebuilds the click from the saved form state, not the payload, and adds the form values', () => {
    // What the client sends back as private_metadata is only the id; a forged one changes nothing here.
    const forged = encodeFormMetadata({ ...metadata, action: 'rr:approve', responseUrl: 'https://evil.example/hook' });
    const payload = viewSubmission({ privateMetadata: forged, values: { reason: 'no budget', note: null }, userId: 'U3', triggerId: 't.2' });
    const converted = viewSubmissionToEvent(asView(payload), metadata, arrival);
    expect(converted?.event).toEqual({
      kind: 'action',
      id: 't.2',
      platform: 'slack',
      user: { platform: 'slack', id: 'U3', displayName: 'alice' },
      channel: 'C1',
      receivedAt: arrival.receivedAt,
      action: 'rr:deny',
      value: '42',
      message: { platform: 'slack', channel: 'C1', id: '1700000000.000100' },
      form: { reason: 'no budget' },
    });
    expect(converted?.source.responseUrl).toBe('https://hooks.slack.com/actions/x');
  });

  it('refuses a submission by anyone but the user who opened the form', () => {
    const payload = viewSubmission({ privateMetadata: 'id', values: { reason: 'no budget' }, userId: 'U4' });
    expect(viewSubmissionToEvent(asView(payload), metadata, arrival)).toBeNull();
  });

  it('refuses stored state that is not ours', () => {
    expect(parseFormMetadata('hello')).toBeNull();
    const badAction = encodeFormMetadata({ ...metadata, action: 'DROP TABLE' });
    expect(parseFormMetadata(badAction)).toBeNull();
    expect(parseFormMetadata(encodeFormMetadata(metadata))).toEqual(metadata);
  });
});
