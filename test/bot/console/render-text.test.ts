import { describe, expect, it } from 'vitest';
import { renderText, stripControlCharacters } from '../../../src/bot/console/render-text.js';

describe('console rendering of text cloud users wrote', () => {
  it('strips ANSI colours, cursor moves, window titles and other control characters from every part', () => {
    const hostile = '\u001b[31mred\u001b[0m \u001b[2J\u001b[Hcleared \u001b]0;pwned\u0007title \u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\ bell\u0007 cr\roverwrite nul\u0000 del\u007f c1\u009b2J rtl\u202egnp.exe';
    const { text, choices } = renderText(
      {
        title: `Request ${hostile}`,
        text: `Why: ${hostile}`,
        fields: [{ label: 'Asks for', value: `cpu=8\n\u001b[1Aup a line` }],
        sections: [{ text: `#12 ${hostile}`, buttons: [{ label: `Approve \u001b[8m`, action: 'rr:approve', value: '12' }] }],
        footer: `by \u001b[5mblink`,
      },
      1,
    );
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain('Why: red cleared title link bell croverwrite nul del c12J rtlgnp.exe');
    expect(text).toContain('  Asks for:\n    cpu=8\n    up a line');
    expect(text).toContain('[1] Approve ');
    expect(text).toContain('-- by blink');
    expect(choices).toHaveLength(1);
  });

  it('keeps newlines, tabs and ordinary Unicode', () => {
    expect(stripControlCharacters('a\tb\nc — é 漢字 🙂')).toBe('a\tb\nc — é 漢字 🙂');
  });

  it('runs in one pass over a long run of unfinished escape sequences', () => {
    // The last one ends in "x", a CSI final byte, so it goes too; "!" is no final byte and stays.
    expect(stripControlCharacters('\u001b['.repeat(300_000) + 'x')).toBe('');
    expect(stripControlCharacters('\u001b['.repeat(300_000) + '!')).toBe('!');
    expect(stripControlCharacters('\u001b]'.repeat(300_000) + 'x')).toBe('');
  });
});
