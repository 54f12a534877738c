import { describe, expect, it } from 'vitest';
import { clipText } from '../../src/handlers/clip-text.js';
import { summarizeOldStatus } from '../../src/handlers/imaging/summarize-old-status.js';

describe('clipText', () => {
  it('keeps short text whole, on one line', () => {
    expect(clipText('  cpu: 8\n memory:  32 GB ', 300, '/atmo request 4')).toBe('cpu: 8 memory: 32 GB');
  });

  it('says where the rest of a cut text is', () => {
    const clipped = clipText('x'.repeat(500), 300, '/atmo request 4');
    expect(clipped).toBe(`${'x'.repeat(299)}… (cut; /atmo request 4 has all of it)`);
  });
});

describe('summarizeOldStatus with a place for the full text', () => {
  it('names the detail view when the summary is cut', () => {
    const long = `(validating) - ERROR - Exception(u'${'y'.repeat(400)}',)`;
    expect(summarizeOldStatus(long, 60, '/atmo imaging show 9')).toMatch(/^validating: Exception: y+… \(cut; \/atmo imaging show 9 has all of it\)$/);
    expect(summarizeOldStatus(long, 60)).toMatch(/^validating: Exception: y+…$/);
  });
});
