import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  TextInputStyle,
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  type APIEmbedField,
  type APIModalInteractionResponseCallbackData,
} from 'discord.js';
import { encodeActionId } from '../chat/action-id.js';
import { cutMarker, describeCutFile, MAX_FORM_FIELDS, type Button, type CutFile, type Field, type FormSpec, type Reply } from '../chat/reply.js';
import { cutEscaped, escapeDiscordMarkdown } from './escape-markdown.js';

/** Message limits from the Discord channel and embed references. */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  embedTotal: 6000,
  rows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  modalTitle: 45,
  inputLabel: 45,
  inputPlaceholder: 100,
  inputLength: 4000,
} as const;

/** Discord's brand colours, so tones look native in the client. */
export const TONE_COLOURS = { info: 0x5865f2, success: 0x57f287, warning: 0xfee75c, danger: 0xed4245 } as const;

export type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

export interface DiscordMessage {
  /** Always present ('' when everything is in embeds) so an edit replaces the old text. */
  content: string;
  embeds: APIEmbed[];
  /** Always present ([] without buttons) so an edit removes the old buttons. */
  components: ButtonRow[];
  /** Ephemeral (64) when the reply asks for it; only meaningful on interaction responses. */
  flags?: MessageFlags.Ephemeral;
}

/** Short fields sit side by side, like Slack's two-column fields. */
const INLINE_FIELD_LENGTH = 40;

/**
 * Renders a Reply as a Discord message: a plain reply is message content; a titled or structured one
 * is an embed, with each section as its own embed and its buttons in action rows below. Anything over
 * Discord's limits is cut with a visible marker rather than rejected by the API.
 */
export function renderReplyMessage(reply: Reply): DiscordMessage {
  return renderReplyMessageWithCuts(reply, undefined).message;
}

/** Counts the texts a rendering cut or left out, so the adapter knows to attach the full text. */
interface Cuts {
  count: number;
}

function cutCounted(text: string, max: number, marker: string, cuts: Cuts): string {
  if (text.length > max) cuts.count += 1;
  return cutEscaped(text, max, marker);
}

/**
 * `renderReplyMessage`, with the cut markers naming `file` (the full text attached to the message),
 * and `cut` saying whether any of the reply's text was cut or left out.
 */
export function renderReplyMessageWithCuts(reply: Reply, file: CutFile | undefined): { message: DiscordMessage; cut: boolean } {
  const cuts: Cuts = { count: 0 };
  const notes: string[] = [];
  const plain = !reply.title && !reply.fields?.length && !reply.sections?.length && !reply.footer && !reply.tone;
  const embeds: APIEmbed[] = [];
  let content = '';
  const marker = cutMarker(reply.fullTextAt, 'Discord', file);
  const text = escapeDiscordMarkdown(reply.text);
  if (plain && text.length <= DISCORD_LIMITS.content) {
    content = text;
  } else {
    embeds.push(embed({ title: reply.title, text, fields: reply.fields, tone: reply.tone, marker }, cuts));
  }

  const sections = reply.sections ?? [];
  const numbered = sections.filter((section) => section.buttons?.length).length > 1;
  const sectionEmbeds = sections.slice(0, DISCORD_LIMITS.embeds - embeds.length).map((section, index) => {
    // The number is the bot's own bold; the section's text is escaped like all outside text.
    const own = escapeDiscordMarkdown(section.text);
    return embed({
      text: numbered && section.buttons?.length ? `**${index + 1}.** ${own}` : own,
      fields: section.fields,
      tone: reply.tone,
      marker: cutMarker(section.fullTextAt ?? reply.fullTextAt, 'Discord', file),
    }, cuts);
  });
  // Footers are not markdown in Discord, so they are cut but not escaped (a backslash would show).
  const footer = reply.footer ? cut(reply.footer, DISCORD_LIMITS.footer) : undefined;
  if (reply.footer && reply.footer.length > DISCORD_LIMITS.footer) cuts.count += 1;
  // The 6000-character budget covers all embeds of a message together: drop whole sections from the
  // end, then fields of the main embed, and say so.
  let kept = sectionEmbeds.length;
  const budget = DISCORD_LIMITS.embedTotal - (footer?.length ?? 0);
  while (kept > 0 && totalLength([...embeds, ...sectionEmbeds.slice(0, kept)]) > budget) kept -= 1;
  const main = embeds[0];
  let droppedFields = 0;
  while (main?.fields?.length && totalLength(embeds) > budget) {
    main.fields.pop();
    droppedFields += 1;
  }
  embeds.push(...sectionEmbeds.slice(0, kept));
  if (footer && embeds.length > 0) embeds[embeds.length - 1]!.footer = { text: footer };
  const inFile = file?.attached ? `; ${describeCutFile(file)} has them` : '';
  if (kept < sections.length) notes.push(`${sections.length - kept} more not shown (Discord message limit${inFile}).`);
  if (droppedFields > 0) notes.push(`${droppedFields} more fields not shown (Discord message limit${inFile}).`);
  if (kept < sections.length || droppedFields > 0) cuts.count += 1;

  const groups: APIButtonComponentWithCustomId[][] = sections
    .slice(0, kept)
    .map((section, index) => (section.buttons ?? []).map((button) => toButton(button, numbered ? `${index + 1}. ` : '')));
  groups.push((reply.buttons ?? []).map((button) => toButton(button, '')));
  const { rows, left } = layoutRows(groups);
  if (left > 0) notes.push(`${left} more buttons not shown (Discord allows ${DISCORD_LIMITS.rows * DISCORD_LIMITS.buttonsPerRow}).`);

  if (notes.length) content = cutCounted([content, ...notes].filter(Boolean).join('\n'), DISCORD_LIMITS.content, marker, cuts);
  const message: DiscordMessage = {
    content,
    embeds,
    components: rows,
    ...(reply.visibility === 'ephemeral' ? { flags: MessageFlags.Ephemeral } : {}),
  };
  return { message, cut: cuts.count > 0 };
}

/** `text` arrives escaped (it may carry the bot's own bold); titles and fields are escaped here. */
function embed(input: { title?: string; text: string; fields?: Field[]; tone?: Reply['tone']; marker: string }, cuts: Cuts): APIEmbed {
  const result: APIEmbed = {};
  // A long title is cut with an ellipsis (no room for a marker); the attached file has it whole.
  if (input.title) result.title = cutCounted(escapeDiscordMarkdown(input.title), DISCORD_LIMITS.embedTitle, '…', cuts);
  if (input.text) result.description = cutCounted(input.text, DISCORD_LIMITS.embedDescription, input.marker, cuts);
  if (input.fields?.length) result.fields = toFields(input.fields, input.marker, cuts);
  if (input.tone) result.color = TONE_COLOURS[input.tone];
  return result;
}

function toFields(fields: Field[], marker: string, cuts: Cuts): APIEmbedField[] {
  const shown = fields.length > DISCORD_LIMITS.embedFields ? fields.slice(0, DISCORD_LIMITS.embedFields - 1) : fields;
  if (shown.length < fields.length) cuts.count += 1;
  const result = shown.map((field) => {
    // Discord rejects empty field names and values.
    const value = cutCounted(escapeDiscordMarkdown(field.value || '—'), DISCORD_LIMITS.fieldValue, marker, cuts);
    const name = cutEscaped(escapeDiscordMarkdown(field.label || '—'), DISCORD_LIMITS.fieldName, '…');
    return { name, value, inline: value.length <= INLINE_FIELD_LENGTH && !value.includes('\n') };
  });
  if (shown.length < fields.length) result.push({ name: '…', value: `${fields.length - shown.length} more fields not shown`, inline: false });
  return result;
}

function toButton(button: Button, prefix: string): APIButtonComponentWithCustomId {
  return {
    type: ComponentType.Button,
    custom_id: encodeActionId(button.action, button.value),
    label: cut(`${prefix}${button.label}`, DISCORD_LIMITS.buttonLabel),
    style: button.style === 'primary' ? ButtonStyle.Primary : button.style === 'danger' ? ButtonStyle.Danger : ButtonStyle.Secondary,
  };
}

/**
 * One row per section keeps each section's buttons together; when that needs more than Discord's five
 * rows, the (numbered) buttons are packed five to a row instead. Duplicate ids are dropped, as Discord
 * requires custom ids to be unique within a message.
 */
function layoutRows(groups: APIButtonComponentWithCustomId[][]): { rows: ButtonRow[]; left: number } {
  const seen = new Set<string>();
  const unique = groups.map((group) =>
    group.filter((button) => {
      if (seen.has(button.custom_id)) return false;
      seen.add(button.custom_id);
      return true;
    }),
  );
  const perGroup = unique.flatMap((group) => chunk(group, DISCORD_LIMITS.buttonsPerRow));
  const chunks = perGroup.length <= DISCORD_LIMITS.rows ? perGroup : chunk(unique.flat(), DISCORD_LIMITS.buttonsPerRow);
  const rows = chunks.slice(0, DISCORD_LIMITS.rows).map((components) => ({ type: ComponentType.ActionRow as const, components }));
  const left = chunks.slice(DISCORD_LIMITS.rows).reduce((sum, row) => sum + row.length, 0);
  return { rows, left };
}

function chunk<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

function totalLength(embeds: APIEmbed[]): number {
  return embeds.reduce(
    (sum, item) =>
      sum +
      (item.title?.length ?? 0) +
      (item.description?.length ?? 0) +
      (item.footer?.text.length ?? 0) +
      (item.fields ?? []).reduce((fieldSum, field) => fieldSum + field.name.length + field.value.length, 0),
    0,
  );
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Renders a form as a Discord modal of labelled text inputs. `customId` names the action and record,
 * like the button that opened it. Discord has no custom submit label, so `submitLabel` is not shown.
 */
export function renderModal(form: FormSpec, customId: string): APIModalInteractionResponseCallbackData {
  if (form.fields.length > MAX_FORM_FIELDS) throw new Error(`form "${form.title}" has more than ${MAX_FORM_FIELDS} fields`);
  return {
    custom_id: customId,
    title: cut(form.title, DISCORD_LIMITS.modalTitle),
    components: form.fields.map((field) => {
      const maxLength = Math.min(field.maxLength ?? DISCORD_LIMITS.inputLength, DISCORD_LIMITS.inputLength);
      return {
        type: ComponentType.Label,
        label: cut(field.label, DISCORD_LIMITS.inputLabel),
        component: {
          type: ComponentType.TextInput,
          custom_id: field.name,
          style: field.kind === 'multiline' ? TextInputStyle.Paragraph : TextInputStyle.Short,
          // Discord's default is required; the form spec's default is optional.
          required: field.required ?? false,
          max_length: maxLength,
          ...(field.hint || field.placeholder ? { placeholder: cut(field.hint ?? field.placeholder ?? '', DISCORD_LIMITS.inputPlaceholder) } : {}),
          ...(field.initial ? { value: field.initial.slice(0, maxLength) } : {}),
        },
      };
    }),
  };
}
