import { describe, expect, it } from 'vitest';
import { occupantState } from '../../../src/handlers/imaging/imaging-queue-command.js';

describe('the imaging slot holder as the queue names it', () => {
  it('says the status once when the summary starts with it', () => {
    expect(occupantState('started', 'started for 50 min')).toBe('started for 50 min');
    expect(occupantState('processing', 'processing for 1 h 30 min')).toBe('processing for 1 h 30 min');
    expect(occupantState('started', 'started 1 d 6 h ago with no progress or error recorded')).toBe('started 1 d 6 h ago with no progress or error recorded');
  });

  it('keeps both when the summary says something else', () => {
    expect(occupantState('validating', 'admin tenant instance limit (in error 2 d)')).toBe('validating, admin tenant instance limit (in error 2 d)');
  });
});
