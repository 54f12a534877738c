import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandInteractionDataOption,
  type APIApplicationCommandSubcommandGroupOption,
  type APIApplicationCommandSubcommandOption,
  type APIChatInputApplicationCommandInteractionData,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { CommandDefinition, OptionSpec } from '../chat/command.js';

/**
 * Everything the bot does is one Discord command, `/atmo`, so it never clashes with other bots'
 * commands. A one-word path (`requests`) becomes a subcommand, a two-word path (`imaging triage`) a
 * subcommand of a group. Limits from the Discord application-commands reference.
 */
export const ROOT_COMMAND = 'atmo';
const ROOT_DESCRIPTION = 'Atmosphere cloud operations: requests, imaging, maintenance, releases';
const MAX_PER_LEVEL = 25;
const MAX_CHOICES = 25;
const MAX_DESCRIPTION = 100;
// Discord's name rule, restricted to what the handler registry uses (lower-case words).
const NAME = /^[-_a-z0-9]{1,32}$/;

type Subcommand = APIApplicationCommandSubcommandOption;
type Group = APIApplicationCommandSubcommandGroupOption;

/** Builds the body of the bulk-overwrite call: one `/atmo` command holding every handler command. */
export function buildCommandManifest(commands: readonly CommandDefinition[]): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const topLevel: (Subcommand | Group)[] = [];
  const groups = new Map<string, Group>();
  for (const command of commands) {
    const path = command.name.trim().split(/\s+/);
    for (const word of path) assertName(word, `command "${command.name}"`);
    const subcommand = toSubcommand(path[path.length - 1]!, command);
    if (path.length === 1) {
      if (groups.has(path[0]!) || topLevel.some((entry) => entry.name === path[0])) {
        throw new Error(`/${ROOT_COMMAND} ${path[0]} is both a command and a command group (or listed twice); Discord cannot register both`);
      }
      topLevel.push(subcommand);
    } else if (path.length === 2) {
      const [groupName] = path as [string, string];
      let group = groups.get(groupName);
      if (!group) {
        if (topLevel.some((entry) => entry.name === groupName)) {
          throw new Error(`/${ROOT_COMMAND} ${groupName} is both a command and a command group; Discord cannot register both`);
        }
        group = { type: ApplicationCommandOptionType.SubcommandGroup, name: groupName, description: `${groupName} commands`, options: [] };
        groups.set(groupName, group);
        topLevel.push(group);
      }
      if (group.options!.some((entry) => entry.name === subcommand.name)) throw new Error(`command "${command.name}" is listed twice`);
      group.options!.push(subcommand);
      if (group.options!.length > MAX_PER_LEVEL) throw new Error(`/${ROOT_COMMAND} ${groupName} has more than ${MAX_PER_LEVEL} subcommands`);
    } else {
      throw new Error(`command "${command.name}" has ${path.length} words; Discord allows at most two below /${ROOT_COMMAND}`);
    }
  }
  if (topLevel.length > MAX_PER_LEVEL) throw new Error(`/${ROOT_COMMAND} has more than ${MAX_PER_LEVEL} subcommands and groups`);
  return [{ type: ApplicationCommandType.ChatInput, name: ROOT_COMMAND, description: ROOT_DESCRIPTION, options: topLevel }];
}

function toSubcommand(name: string, command: CommandDefinition): Subcommand {
  if (command.options.length > MAX_PER_LEVEL) throw new Error(`command "${command.name}" has more than ${MAX_PER_LEVEL} options`);
  // Discord rejects a required option after an optional one. Values come back by name, so moving
  // the required ones first changes only the order Discord shows them in, not what they mean.
  const ordered = [...command.options.filter((option) => option.required), ...command.options.filter((option) => !option.required)];
  return {
    type: ApplicationCommandOptionType.Subcommand,
    name,
    description: describe(command.summary, command.name),
    options: ordered.map((option) => toOption(option, command.name)),
  };
}

function toOption(option: OptionSpec, commandName: string): APIApplicationCommandBasicOption {
  assertName(option.name, `option "${option.name}" of "${commandName}"`);
  const base = { name: option.name, description: describe(option.description, option.name), required: option.required ?? false };
  const choices = option.choices?.slice(0, MAX_CHOICES);
  switch (option.type) {
    case 'string':
      return {
        ...base,
        type: ApplicationCommandOptionType.String,
        ...(choices ? { choices: choices.map((choice) => ({ name: choice, value: choice })) } : {}),
      };
    case 'integer':
      return {
        ...base,
        type: ApplicationCommandOptionType.Integer,
        ...(choices ? { choices: choices.map((choice) => ({ name: choice, value: Number(choice) })) } : {}),
      };
    case 'boolean':
      return { ...base, type: ApplicationCommandOptionType.Boolean };
  }
}

function describe(text: string, fallback: string): string {
  const trimmed = text.trim() || fallback;
  return trimmed.length <= MAX_DESCRIPTION ? trimmed : `${trimmed.slice(0, MAX_DESCRIPTION - 1)}…`;
}

function assertName(name: string, what: string): void {
  if (!NAME.test(name)) throw new Error(`${what}: "${name}" is not a valid Discord name (lower-case letters, digits, - or _, at most 32)`);
}

/** The command path and typed values of an `/atmo` invocation, as the dispatcher wants them. */
export interface InteractionOptions {
  path: string[];
  values: Record<string, string | number | boolean>;
}

/** Walks the nested subcommand options of an `/atmo` interaction back to a path and named values. */
export function interactionToOptions(data: Pick<APIChatInputApplicationCommandInteractionData, 'options'>): InteractionOptions {
  const path: string[] = [];
  let level: readonly APIApplicationCommandInteractionDataOption[] = data.options ?? [];
  const values: Record<string, string | number | boolean> = {};
  for (;;) {
    const nested = level.find(
      (option) => option.type === ApplicationCommandOptionType.SubcommandGroup || option.type === ApplicationCommandOptionType.Subcommand,
    );
    if (!nested || !('options' in nested) || nested.options === undefined) {
      if (nested) path.push(nested.name);
      break;
    }
    path.push(nested.name);
    level = nested.options;
  }
  for (const option of level) {
    if ('value' in option && (typeof option.value === 'string' || typeof option.value === 'number' || typeof option.value === 'boolean')) {
      values[option.name] = option.value;
    }
  }
  return { path, values };
}
