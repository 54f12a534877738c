import { z } from 'zod';
import type { BlockAction, SlashCommand, ViewSubmitAction } from '@slack/bolt';
import type { ActionEvent, CommandEvent, MessageRef } from '../chat/chat-event.js';
import { ACTION_NAME } from '../chat/action-id.js';
import { actionNameOf, readFormValues } from './render-reply.js';

/**
 * Where a click came from, as far as answering it is concerned: the message to edit and the
 * response_url for ephemeral answers. Ephemeral messages cannot be edited with `chat.update`
 * (https://docs.slack.dev/messaging/modifying-messages), only through their response_url.
 */
export interface SlackSource {
  channel: string;
  messageTs?: string;
  threadTs?: string;
  ephemeral: boolean;
  responseUrl?: string;
  /**
   * The click came from the bot's Home tab: there is no message to edit and no response_url, so
   * replies go to the user's direct messages and a redraw publishes the Home tab again.
   */
  home?: boolean;
}

/**
 * What an open form will do when submitted: the action and record of the click that opened it, who
 * clicked, and where to answer. Kept server-side (FormStateStore); the modal's `private_metadata`
 * holds only the id, so a forged submission cannot change any of it.
 */
export interface FormMetadata extends SlackSource {
  action: string;
  value: string;
  /** The Slack user who opened the form; only they may submit it. */
  user: string;
}

const formMetadataSchema = z.object({
  action: z.string().regex(ACTION_NAME),
  value: z.string(),
  user: z.string().min(1),
  channel: z.string().min(1),
  messageTs: z.string().optional(),
  threadTs: z.string().optional(),
  ephemeral: z.boolean(),
  responseUrl: z.url().optional(),
  home: z.boolean().optional(),
});

/** Details the caller supplies so the conversion stays pure. */
export interface Arrival {
  receivedAt: Date;
  /** Used as the event id when Slack sent no trigger_id. */
  fallbackId: string;
}

function eventId(triggerId: string | undefined, arrival: Arrival): string {
  return triggerId && triggerId.trim() !== '' ? triggerId : arrival.fallbackId;
}

function messageRef(source: SlackSource): MessageRef | undefined {
  if (!source.messageTs) return undefined;
  return {
    platform: 'slack',
    channel: source.channel,
    id: source.messageTs,
    ...(source.threadTs ? { threadId: source.threadTs } : {}),
  };
}

/** `/atmo <text>` as a CommandEvent. */
export function slashCommandToEvent(body: SlashCommand, arrival: Arrival): CommandEvent {
  return {
    kind: 'command',
    id: eventId(body.trigger_id, arrival),
    platform: 'slack',
    user: { platform: 'slack', id: body.user_id, ...(body.user_name ? { displayName: body.user_name } : {}) },
    channel: body.channel_id,
    receivedAt: arrival.receivedAt,
    text: (body.text ?? '').trim(),
  };
}

/**
 * A click on one of our buttons as an ActionEvent plus where it came from. Null when the click is not
 * one of ours (another app's block, a select menu, a link button without a value).
 */
export function blockActionToEvent(body: BlockAction, arrival: Arrival): { event: ActionEvent; source: SlackSource } | null {
  const action = body.actions[0];
  if (!action || action.type !== 'button' || !('value' in action) || typeof action.value !== 'string') return null;
  const name = actionNameOf(action.action_id);
  if (!ACTION_NAME.test(name)) return null;

  const container = body.container;
  // A button on the Home tab sits in a view, not a channel: the user's own id stands for the channel.
  const home = container['type'] === 'view' && (body.view as { type?: unknown } | undefined)?.type === 'home';
  const channel = stringOf(container['channel_id']) ?? body.channel?.id ?? (home ? body.user.id : undefined);
  if (!channel) return null;
  const messageTs = stringOf(container['message_ts']) ?? body.message?.ts;
  const threadTs = stringOf(body.message?.['thread_ts']);
  const source: SlackSource = {
    channel,
    ephemeral: container['is_ephemeral'] === true,
    responseUrl: body.response_url,
    ...(home ? { home: true } : {}),
    ...(messageTs ? { messageTs } : {}),
    ...(threadTs && threadTs !== messageTs ? { threadTs } : {}),
  };
  const message = messageRef(source);
  const event: ActionEvent = {
    kind: 'action',
    id: eventId(body.trigger_id, arrival),
    platform: 'slack',
    user: { platform: 'slack', id: body.user.id, displayName: body.user.username ?? body.user.name },
    channel,
    receivedAt: arrival.receivedAt,
    action: name,
    value: action.value,
    ...(message ? { message } : {}),
  };
  return { event, source };
}

/**
 * A submitted form as the ActionEvent of the click that opened it, now with `form`. `metadata` is the
 * state saved when the form opened, never what the client sent back; null when someone other than
 * the user who opened the form submits it.
 */
export function viewSubmissionToEvent(
  body: ViewSubmitAction,
  metadata: FormMetadata,
  arrival: Arrival,
): { event: ActionEvent; source: SlackSource } | null {
  const { action, value, user, ...source } = metadata;
  if (user !== body.user.id) return null;
  const message = messageRef(source);
  const event: ActionEvent = {
    kind: 'action',
    id: eventId(body.trigger_id, arrival),
    platform: 'slack',
    user: { platform: 'slack', id: body.user.id, ...(body.user.name ? { displayName: body.user.name } : {}) },
    channel: source.channel,
    receivedAt: arrival.receivedAt,
    action,
    value,
    ...(message ? { message } : {}),
    form: readFormValues(body.view),
  };
  return { event, source };
}

export function encodeFormMetadata(metadata: FormMetadata): string {
  return JSON.stringify(metadata);
}

export function parseFormMetadata(text: string): FormMetadata | null {
  try {
    const parsed = formMetadataSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
