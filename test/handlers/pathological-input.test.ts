import { describe, expect, it } from 'vitest';
import { MEGABYTE, pathologicalCases } from '../fixtures/pathological-inputs.js';

/**
 * Each parser of outside text gets about 1 MB built to make a backtracking regex or a quadratic loop
 * blow up, and must still give the right answer. No time is asserted: a parser that backtracks
 * cubically simply never finishes within the test's timeout (bench/parse-worst.ts records the times).
 */

type Check = (result: unknown) => void;

const expected: Record<string, Check> = {
  'old_status prefix / open paren, spaces, no close': (result) =>
    expect(result).toMatchObject({ prefix: null, step: null, errorMarker: null, traceback: null }),
  'old_status prefix / open parens only': (result) => expect(result).toMatchObject({ prefix: null, step: null, errorMarker: null }),
  'old_status prefix / nested wraps, no close': (result) => expect(result).toMatchObject({ prefix: null, step: null, errorMarker: null }),
  'old_status prefix / many ERROR heads': (result) =>
    expect(result).toMatchObject({ prefix: 'imaging', step: 'imaging', errorMarker: 'ERROR', exceptionClass: null, traceback: null }),
  'old_status prefix / traceback last line of spaces and a carriage return': (result) =>
    expect(result).toMatchObject({ prefix: 'imaging', step: 'imaging', exceptionClass: 'IOError', exceptionMessage: 'z' }),
  'old_status prefix / unterminated repr call': (result) =>
    // A call that never closes is not a repr the parser can read; it says so rather than guessing.
    expect(result).toMatchObject({ prefix: 'imaging', errorMarker: 'ERROR', exceptionClass: null, exceptionMessage: null, traceback: null }),
  'old_status summary / open paren, spaces, colons': (result) => {
    expect(typeof result).toBe('string');
    expect((result as string).startsWith('( : : :')).toBe(true);
    expect((result as string).length).toBe(140);
  },
  'old_status summary / closed prefix then spaces': (result) => expect(result).toBe('validating: ERROR - '),
  'imaging classifier / serverRef repeated': (result) => expect(result).toMatchObject({ category: 'unknown-error', severity: 'error' }),
  'imaging classifier / open paren, spaces, no close': (result) => expect(result).toMatchObject({ category: 'in-progress', step: null }),
  'imaging classifier / nbd and NoneType fragments': (result) =>
    expect(result).toMatchObject({ category: 'imaging-host', severity: 'error', evidence: '/dev/nbd' }),
  'quota spec / key, spaces, no sign': (result) => {
    expect(result).toMatchObject({ ok: false });
    expect((result as { error: string }).error).toMatch(/^"cpu" is not key=value; "x" is not key=value\. Write the quota/);
  },
  'quota spec / signs and spaces': (result) => {
    expect(result).toMatchObject({ ok: false });
    expect((result as { error: string }).error.length).toBeLessThan(400);
  },
  'quota spec / many bad pairs': (result) => {
    expect(result).toMatchObject({ ok: false });
    const error = (result as { error: string }).error;
    expect(error).toMatch(/^cpu must be a whole number from 1 to 100000, not "x"; /);
    expect(error).toMatch(/; and \d{6} more\. Write the quota/);
    expect(error.length).toBeLessThan(700);
  },
  'time / date then spaces': (result) => {
    expect(result).toMatchObject({ ok: false });
    expect((result as { error: string }).error).toMatch(/^"2026-12-01 15:00 +…" is not a time I can read/);
  },
  'time / date, T separators, no time': (result) => expect(result).toMatchObject({ ok: false }),
  'time / relative units repeated': (result) => {
    expect(result).toMatchObject({ ok: false });
    expect((result as { error: string }).error.length).toBeLessThan(200);
  },
  'command tokenizer / unclosed quote': (result) => expect(result).toEqual({ ok: false, error: 'a double quote is not closed' }),
  'command tokenizer / backslashes': (result) => {
    expect(result).toMatchObject({ ok: true });
    const words = (result as { words: string[] }).words;
    expect(words.length).toBe(Math.floor(MEGABYTE / 3));
    expect(words.every((word) => word === '\\')).toBe(true);
  },
  'command tokenizer / many words bound to options': (result) => {
    expect(result).toMatchObject({ ok: false });
    expect((result as { error: string }).error).toMatch(/^unexpected words "w w w.*…"$/);
  },
  'chat mention / platform prefix repeated': (result) => expect(result).toBeNull(),
  'chat mention / mention never closed': (result) => expect(result).toBeNull(),
  'chat mention / mention of a huge id': (result) => expect(result).toBeNull(),
  'changelog / many empty sub-headings': (result) => expect(result).toBe('### Fixed\n- one fix'.length),
  'changelog / blank lines in a section': (result) => expect(result).toBe('- x'),
  'changelog / comment markers': (result) => expect(result).toBeNull(),
  'API error detail / dots and spaces not at the end': (result) => expect(result).toBeGreaterThan(MEGABYTE - 10),
};

describe('parsers of outside text on 1 MB of pathological input', () => {
  const cases = pathologicalCases();

  it('cover every case with an expectation', () => {
    expect(cases.map((c) => `${c.parser} / ${c.name}`).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const testCase of cases) {
    it(`${testCase.parser}: ${testCase.name}`, () => {
      expect(testCase.input.length).toBeGreaterThan(MEGABYTE - 200);
      expected[`${testCase.parser} / ${testCase.name}`]!(testCase.parse(testCase.input));
    });
  }
});
