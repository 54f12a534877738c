import type { OptionSpec } from './command.js';

/** Longest piece of the input quoted back in an error, so a pasted wall of text gets a short answer. */
const MAX_ECHO = 60;

/** Splits command text into words, honouring "double" and 'single' quotes and backslash escapes. */
export function tokenize(text: string): { ok: true; words: string[] } | { ok: false; error: string } {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) return { ok: false, error: `a ${quote === '"' ? 'double' : 'single'} quote is not closed` };
  if (inWord) words.push(current);
  return { ok: true, words };
}

/**
 * Turns the words after the command path into named values following the command's options:
 * positionals fill non-flag options in order (a `rest` option takes the remaining words), and
 * `--name value`, `--name=value` or a bare `--name` (booleans) set any option by name.
 * The result is still untrusted: the command's zod schema validates it.
 */
export function bindOptions(
  words: readonly string[],
  options: readonly OptionSpec[],
): { ok: true; values: Record<string, string | boolean> } | { ok: false; error: string } {
  const values: Record<string, string | boolean> = {};
  const positional = options.filter((option) => !option.flag);
  const byName = new Map(options.map((option) => [option.name, option]));
  const loose: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith('--') && word.length > 2) {
      const eq = word.indexOf('=');
      const name = (eq === -1 ? word.slice(2) : word.slice(2, eq)).replace(/_/g, '-');
      const option = byName.get(name) ?? byName.get(name.replace(/-/g, '_'));
      if (!option) return { ok: false, error: `unknown option --${name.length > MAX_ECHO ? `${name.slice(0, MAX_ECHO - 1)}…` : name}` };
      if (eq !== -1) values[option.name] = word.slice(eq + 1);
      else if (option.type === 'boolean') values[option.name] = true;
      else if (i + 1 < words.length) values[option.name] = words[++i]!;
      else return { ok: false, error: `--${name} needs a value` };
    } else {
      loose.push(word);
    }
  }
  let index = 0;
  for (const option of positional) {
    if (index >= loose.length) break;
    if (option.name in values) continue;
    if (option.rest) {
      values[option.name] = loose.slice(index).join(' ');
      index = loose.length;
    } else {
      values[option.name] = loose[index++]!;
    }
  }
  if (index < loose.length) {
    const extra = loose.slice(index).join(' ');
    const shown = extra.length > MAX_ECHO ? `${extra.slice(0, MAX_ECHO - 1)}…` : extra;
    return { ok: false, error: `unexpected ${loose.length - index === 1 ? 'word' : 'words'} "${shown}"` };
  }
  return { ok: true, values };
}

/** Finds the longest command path that prefixes the words, e.g. `maintenance start` before `maintenance`. */
export function matchCommandPath<T extends { name: string }>(
  words: readonly string[],
  commands: readonly T[],
): { command: T; rest: string[] } | null {
  let best: { command: T; rest: string[] } | null = null;
  let bestLength = 0;
  for (const command of commands) {
    const path = command.name.split(' ');
    if (path.length <= bestLength || path.length > words.length) continue;
    if (path.every((part, i) => words[i]!.toLowerCase() === part)) {
      best = { command, rest: words.slice(path.length) };
      bestLength = path.length;
    }
  }
  return best;
}
