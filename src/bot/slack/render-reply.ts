import type { types } from '@slack/bolt';
import { cutMarker, describeCutFile, type Button, type CutFile, type Field, type FormSpec, type Reply, type Section } from '../chat/reply.js';

type KnownBlock = types.KnownBlock;
type ActionsBlock = types.ActionsBlock;
type SlackButton = types.Button;
type ModalView = types.ModalView;

/**
 * Block Kit limits, from the Block Kit reference (https://docs.slack.dev/reference/block-kit/blocks).
 * Slack rejects the whole message with `invalid_blocks` when one is exceeded, so we cut first and say so.
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  headerText: 150,
  contextText: 3000,
  elementsPerActions: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  /** Slack truncates past 40,000 and advises far less; this is the notification and fallback text. */
  messageText: 4000,
  modalTitle: 24,
  modalButton: 24,
  inputLabel: 2000,
  inputPlaceholder: 150,
  inputHint: 2000,
  inputLength: 3000,
  privateMetadata: 3000,
} as const;

/** The modal's callback id; the app listens for submissions of it. */
export const FORM_CALLBACK_ID = 'atmo-form';

const TRUNCATED = cutMarker(undefined, 'Slack');

/** Slack's mrkdwn treats these three as control characters (https://docs.slack.dev/messaging/formatting-message-text#escaping). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Counts the texts a rendering cut, so the adapter knows to send the full text as a file. */
interface Cuts {
  count: number;
}

function cut(text: string, max: number, note = TRUNCATED, cuts?: Cuts): string {
  if (text.length <= max) return text;
  if (cuts) cuts.count += 1;
  let end = Math.max(0, max - note.length);
  // Never leave half an entity (`&am`) behind: cut before its `&` instead.
  const amp = text.lastIndexOf('&', end);
  if (amp !== -1 && end - amp < 5 && text.indexOf(';', amp) >= end) end = amp;
  return text.slice(0, end) + note;
}

/** Escapes first, then cuts, so an entity such as `&amp;` is never counted short of its real length. */
function mrkdwn(text: string, max: number, note = TRUNCATED, cuts?: Cuts): types.MrkdwnElement {
  return { type: 'mrkdwn', text: cut(escapeMrkdwn(text), max, note, cuts) };
}

function plain(text: string, max: number): types.PlainTextElement {
  return { type: 'plain_text', text: cut(text, max, '…'), emoji: true };
}

const TONE_EMOJI: Record<NonNullable<Reply['tone']>, string> = {
  info: ':information_source:',
  success: ':white_check_mark:',
  warning: ':warning:',
  danger: ':rotating_light:',
};

function fieldBlocks(fields: readonly Field[], note: string, cuts: Cuts): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (let start = 0; start < fields.length; start += SLACK_LIMITS.fieldsPerSection) {
    blocks.push({
      type: 'section',
      fields: fields
        .slice(start, start + SLACK_LIMITS.fieldsPerSection)
        .map((field) => mrkdwn(`*${field.label}*\n${field.value}`, SLACK_LIMITS.fieldText, note, cuts)),
    });
  }
  return blocks;
}

function buttonElement(button: Button, actionId: string): SlackButton {
  // A value is the record's id; cutting it would point the click at another record, so refuse instead.
  if (button.value.length > SLACK_LIMITS.buttonValue) {
    throw new Error(`button value for ${button.action} is longer than ${SLACK_LIMITS.buttonValue} characters`);
  }
  return {
    type: 'button',
    text: plain(button.label, SLACK_LIMITS.buttonText),
    action_id: actionId,
    value: button.value,
    ...(button.style ? { style: button.style } : {}),
  };
}

/**
 * Slack wants each action_id unique within its block. The action name is the id; a repeated name in the
 * same block gets a `#n` suffix that `actionNameOf` strips when the click comes back.
 */
function actionsBlocks(buttons: readonly Button[]): ActionsBlock[] {
  const blocks: ActionsBlock[] = [];
  for (let start = 0; start < buttons.length; start += SLACK_LIMITS.elementsPerActions) {
    const seen = new Map<string, number>();
    const elements = buttons.slice(start, start + SLACK_LIMITS.elementsPerActions).map((button) => {
      const count = (seen.get(button.action) ?? 0) + 1;
      seen.set(button.action, count);
      return buttonElement(button, count === 1 ? button.action : `${button.action}#${count}`);
    });
    blocks.push({ type: 'actions', elements });
  }
  return blocks;
}

/** The action name behind an action_id built by `renderReplyBlocks`. */
export function actionNameOf(actionId: string): string {
  return actionId.replace(/#\d+$/, '');
}

function sectionBlocks(section: Section, fullTextAt: string | undefined, file: CutFile | undefined, cuts: Cuts): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const note = cutMarker(section.fullTextAt ?? fullTextAt, 'Slack', file);
  const fields = fieldBlocks(section.fields ?? [], note, cuts);
  const text = section.text.trim() === '' ? undefined : mrkdwn(section.text, SLACK_LIMITS.sectionText, note, cuts);
  const [firstFields, ...moreFields] = fields;
  if (text && firstFields?.type === 'section') blocks.push({ ...firstFields, text }, ...moreFields);
  else if (text) blocks.push({ type: 'section', text }, ...fields);
  else blocks.push(...fields);
  if (section.buttons?.length) blocks.push(...actionsBlocks(section.buttons));
  return blocks;
}

/**
 * Renders a platform-neutral reply as Block Kit. `text` is the notification and fallback text; `blocks`
 * stay within Slack's limits, dropping trailing sections with a visible note when there are too many.
 */
export function renderReplyBlocks(reply: Reply): { text: string; blocks: KnownBlock[] } {
  const { text, blocks } = renderReplyBlocksWithCuts(reply, undefined);
  return { text, blocks };
}

/**
 * `renderReplyBlocks`, with the cut markers naming `file` (the full text sent beside the message), and
 * `cut` saying whether any of the reply's text was cut or left out.
 */
export function renderReplyBlocksWithCuts(reply: Reply, file: CutFile | undefined): { text: string; blocks: KnownBlock[]; cut: boolean } {
  const cuts: Cuts = { count: 0 };
  const head: KnownBlock[] = [];
  if (reply.title) {
    const title = reply.tone ? `${TONE_EMOJI[reply.tone]} ${reply.title}` : reply.title;
    // A long title is cut with an ellipsis (a header has no room for a marker); the file has it whole.
    if (title.length > SLACK_LIMITS.headerText) cuts.count += 1;
    head.push({ type: 'header', text: plain(title, SLACK_LIMITS.headerText) });
  }
  const note = cutMarker(reply.fullTextAt, 'Slack', file);
  if (reply.text.trim() !== '') head.push({ type: 'section', text: mrkdwn(reply.text, SLACK_LIMITS.sectionText, note, cuts) });
  head.push(...fieldBlocks(reply.fields ?? [], note, cuts));

  const tail: KnownBlock[] = [];
  if (reply.buttons?.length) tail.push(...actionsBlocks(reply.buttons));
  if (reply.footer) tail.push({ type: 'context', elements: [mrkdwn(reply.footer, SLACK_LIMITS.contextText, note, cuts)] });

  const groups = (reply.sections ?? []).map((section) => sectionBlocks(section, reply.fullTextAt, file, cuts));
  const total = head.length + tail.length + groups.reduce((sum, group) => sum + group.length, 0);
  const body: KnownBlock[] = [];
  if (total <= SLACK_LIMITS.blocksPerMessage) {
    for (const group of groups) body.push(...group);
  } else {
    // One block is kept back for the note saying how much was left out.
    const room = SLACK_LIMITS.blocksPerMessage - head.length - tail.length - 1;
    let shown = 0;
    for (const group of groups) {
      if (body.length + group.length > room) break;
      body.push(...group);
      shown += 1;
    }
    const hidden = groups.length - shown;
    cuts.count += 1;
    body.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `… ${hidden} more ${hidden === 1 ? 'item' : 'items'} not shown (Slack shows at most ${SLACK_LIMITS.blocksPerMessage} blocks)${file?.attached ? `; ${describeCutFile(file)} has them all` : ''}.`,
        },
      ],
    });
  }
  const all = [...head, ...body, ...tail];
  if (all.length > SLACK_LIMITS.blocksPerMessage) cuts.count += 1;
  const blocks = all.slice(0, SLACK_LIMITS.blocksPerMessage);
  // The notification text repeats the first section, so its cut is not counted: the blocks show more.
  return { text: cut(escapeMrkdwn(reply.text), SLACK_LIMITS.messageText, note), blocks, cut: cuts.count > 0 };
}

/** A modal with one text input per field; `metadata` comes back untouched with the submission. */
export function renderFormView(form: FormSpec, metadata: string): ModalView {
  if (metadata.length > SLACK_LIMITS.privateMetadata) {
    throw new Error(`form metadata is longer than Slack's ${SLACK_LIMITS.privateMetadata} characters`);
  }
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    private_metadata: metadata,
    title: plain(form.title, SLACK_LIMITS.modalTitle),
    submit: plain(form.submitLabel, SLACK_LIMITS.modalButton),
    close: plain('Cancel', SLACK_LIMITS.modalButton),
    blocks: form.fields.map((field) => ({
      type: 'input',
      block_id: field.name,
      optional: !field.required,
      label: plain(field.label, SLACK_LIMITS.inputLabel),
      ...(field.hint ? { hint: plain(field.hint, SLACK_LIMITS.inputHint) } : {}),
      element: {
        type: 'plain_text_input',
        action_id: field.name,
        multiline: field.kind === 'multiline',
        max_length: Math.min(field.maxLength ?? SLACK_LIMITS.inputLength, SLACK_LIMITS.inputLength),
        ...(field.initial !== undefined ? { initial_value: field.initial } : {}),
        ...(field.placeholder ? { placeholder: plain(field.placeholder, SLACK_LIMITS.inputPlaceholder) } : {}),
      },
    })),
  };
}

/** The shape of a submitted view that `readFormValues` needs. */
export interface SubmittedViewState {
  state: { values: Record<string, Record<string, { value?: string | null }>> };
}

/**
 * Reads the text inputs of a submitted form, keyed by field name. A field left empty is absent, so an
 * optional field's schema sees `undefined` rather than an empty string.
 */
export function readFormValues(view: SubmittedViewState): Record<string, string> {
  const values: Record<string, string> = {};
  for (const block of Object.values(view.state.values)) {
    for (const [name, input] of Object.entries(block)) {
      if (typeof input.value === 'string' && input.value !== '') values[name] = input.value;
    }
  }
  return values;
}
