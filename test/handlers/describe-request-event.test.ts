import { describe, expect, it } from 'vitest';
import { describeRequestEvent } from '../../src/handlers/describe-request-event.js';

const at = new Date('2026-11-30T14:02:00Z');

describe('what the history says someone did', () => {
  it('says queue moves, unconfirmed approvals and instance actions in words', () => {
    expect(describeRequestEvent({ actor: 'mwalker', action: 'moved', platform: 'slack', at, note: 'imaging queue place 3 → 1' })).toBe(
      'mwalker moved it in the imaging queue on slack at 2026-11-30 14:02 UTC: imaging queue place 3 → 1',
    );
    expect(describeRequestEvent({ actor: 'kpatel', action: 'reboot', platform: 'discord', at, note: null })).toBe('kpatel rebooted it on discord at 2026-11-30 14:02 UTC');
    expect(describeRequestEvent({ actor: 'atmo-bot', action: 'auto-approved', platform: 'job', at, note: null })).toBe('atmo-bot approved it from the imaging queue at 2026-11-30 14:02 UTC');
  });

  it('never says did "<code>" for an action it has no words for', () => {
    const line = describeRequestEvent({ actor: 'kpatel', action: 'image-published', platform: 'slack', at, note: null });
    expect(line).toBe('kpatel recorded "image published" on slack at 2026-11-30 14:02 UTC');
    expect(line).not.toContain('did "');
  });
});
