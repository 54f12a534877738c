import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnyCommandDefinition, OptionSpec } from '../../src/bot/chat/command.js';
import { commandDefinitions } from '../../src/handlers/index.js';

/** How deep in `[ … ]` the text at `index` of `usage` sits: 0 is required, more is optional. */
function bracketDepth(usage: string, index: number): number {
  let depth = 0;
  for (const ch of usage.slice(0, index)) {
    if (ch === '[') depth++;
    else if (ch === ']') depth--;
  }
  return depth;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/**
 * Where the usage line names an option: `--name` for a flag; for a positional, a `<…>` or `[…]`
 * placeholder holding the name as a word, or else one of its choices as a word (`move`, `cancel`).
 */
function mentionOf(usage: string, option: OptionSpec): number {
  const flag = new RegExp(`--${escape(option.name)}(?![\\w-])`).exec(usage);
  if (option.flag) return flag ? flag.index : -1;
  const placeholder = new RegExp(`[<\\[][^<>\\[\\]]*\\b${escape(option.name)}\\b[^<>\\[\\]]*[>\\]]`).exec(usage);
  if (placeholder) return placeholder.index + 1;
  for (const choice of option.choices ?? []) {
    const word = new RegExp(`(?<![\\w-])${escape(choice)}(?![\\w-])`).exec(usage);
    if (word) return word.index;
  }
  return -1;
}

function shapeOf(command: AnyCommandDefinition): Record<string, z.ZodType> {
  if (!(command.args instanceof z.ZodObject)) throw new Error(`${command.name}: args is not a z.object`);
  return command.args.shape as Record<string, z.ZodType>;
}

// Each command says its arguments three times: options (text binding, Discord), the zod schema
// (validation) and the usage line (help, every usage error). These keep the three in step.
describe.each(commandDefinitions.map((command) => [command.name, command] as const))('the definition of /atmo %s', (_name, command) => {
  it('has one option per key of its schema, and no other', () => {
    expect(command.options.map((option) => option.name).sort()).toEqual(Object.keys(shapeOf(command)).sort());
  });

  it('marks an option required exactly when its schema refuses it missing', () => {
    const shape = shapeOf(command);
    for (const option of command.options) {
      const refusesMissing = !shape[option.name]!.safeParse(undefined).success;
      expect({ option: option.name, required: option.required ?? false }).toEqual({ option: option.name, required: refusesMissing });
    }
  });

  it('has a usage line that starts with the command and names every option, optional ones in brackets', () => {
    expect(command.usage.startsWith(`/atmo ${command.name}`)).toBe(true);
    for (const option of command.options) {
      const at = mentionOf(command.usage, option);
      expect({ option: option.name, named: at >= 0 }).toEqual({ option: option.name, named: true });
      expect({ option: option.name, optional: bracketDepth(command.usage, at) > 0 }).toEqual({ option: option.name, optional: !option.required });
    }
  });

  it('lets only its last positional option take the rest of the words', () => {
    const positional = command.options.filter((option) => !option.flag);
    expect(positional.slice(0, -1).filter((option) => option.rest).map((option) => option.name)).toEqual([]);
  });
});

describe('the usage checks', () => {
  it('see an option the usage line leaves out, and a required one shown as optional', () => {
    const reason: OptionSpec = { name: 'reason', description: 'why', type: 'string', required: true, rest: true };
    expect(mentionOf('/atmo deny <id>', reason)).toBe(-1);
    const usage = '/atmo deny <id> [reason]';
    expect(bracketDepth(usage, mentionOf(usage, reason))).toBe(1);
    expect(mentionOf('/atmo x [--statusio]', { name: 'status', description: 's', type: 'string', flag: true })).toBe(-1);
  });
});
