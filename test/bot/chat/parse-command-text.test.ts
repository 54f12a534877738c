import { describe, expect, it } from 'vitest';
import { bindOptions, matchCommandPath, tokenize } from '../../../src/bot/chat/parse-command-text.js';
import type { OptionSpec } from '../../../src/bot/chat/command.js';

describe('tokenize', () => {
  it('splits on white space and keeps quoted words whole', () => {
    expect(tokenize(`maintenance start --title "Release v37-6" --message 'Back at 5pm'`)).toEqual({
      ok: true,
      words: ['maintenance', 'start', '--title', 'Release v37-6', '--message', 'Back at 5pm'],
    });
  });

  it('keeps escaped quotes and empty quoted words', () => {
    expect(tokenize(`deny 3 "he said \\"no\\"" ""`)).toEqual({ ok: true, words: ['deny', '3', 'he said "no"', ''] });
  });

  it('reports an unclosed quote instead of guessing', () => {
    expect(tokenize('deny 3 "no reason')).toEqual({ ok: false, error: 'a double quote is not closed' });
  });
});

describe('bindOptions', () => {
  const options: OptionSpec[] = [
    { name: 'id', description: 'id', type: 'integer', required: true },
    { name: 'reason', description: 'why', type: 'string', rest: true },
    { name: 'quota', description: 'quota', type: 'string', flag: true },
    { name: 'statusio', description: 'also status.io', type: 'boolean', flag: true },
  ];

  it('fills positionals in order and gives the rest option every remaining word', () => {
    expect(bindOptions(['12', 'not', 'eligible'], options)).toEqual({ ok: true, values: { id: '12', reason: 'not eligible' } });
  });

  it('reads --name value, --name=value and bare boolean flags anywhere', () => {
    expect(bindOptions(['--quota', 'cpu=32', '12', '--statusio', '--reason=late'], options)).toEqual({
      ok: true,
      values: { quota: 'cpu=32', id: '12', statusio: true, reason: 'late' },
    });
  });

  it('refuses unknown options and a flag with no value', () => {
    expect(bindOptions(['12', '--force'], options)).toEqual({ ok: false, error: 'unknown option --force' });
    expect(bindOptions(['12', '--quota'], options)).toEqual({ ok: false, error: '--quota needs a value' });
  });

  it('refuses words left over when no option takes them', () => {
    expect(bindOptions(['12', 'extra'], [options[0]!])).toEqual({ ok: false, error: 'unexpected word "extra"' });
  });
});

describe('matchCommandPath', () => {
  const commands = [{ name: 'maintenance' }, { name: 'maintenance start' }, { name: 'requests' }];

  it('prefers the longest matching path', () => {
    expect(matchCommandPath(['maintenance', 'start', '--title', 'x'], commands)).toEqual({ command: { name: 'maintenance start' }, rest: ['--title', 'x'] });
    expect(matchCommandPath(['maintenance', 'status'], commands)).toEqual({ command: { name: 'maintenance' }, rest: ['status'] });
  });

  it('matches without case and returns null for unknown commands', () => {
    expect(matchCommandPath(['Requests'], commands)?.command.name).toBe('requests');
    expect(matchCommandPath(['reqs'], commands)).toBeNull();
  });
});
