import { describe, expect, it } from 'vitest';
import {
  checkNextReleaseTag,
  compareReleaseTags,
  isNextReleaseTag,
  latestReleaseTag,
  nextReleaseTags,
  parseReleaseTag,
} from '../../../src/integrations/github/release-tag.js';

describe('parseReleaseTag', () => {
  it('reads v<major>-<patch>', () => {
    expect(parseReleaseTag('v37-6')).toEqual({ major: 37, patch: 6, text: 'v37-6' });
    expect(parseReleaseTag('v38-0')).toEqual({ major: 38, patch: 0, text: 'v38-0' });
    expect(parseReleaseTag('v36-10')).toEqual({ major: 36, patch: 10, text: 'v36-10' });
  });

  it.each(['v37.6', '37-6', 'v37', 'v30', 'V37-6', 'v37-6 ', ' v37-6', 'v37-6-rc1', 'v37--6', 'Zesty-Zapdos', ''])(
    'rejects %j',
    (text) => {
      expect(parseReleaseTag(text)).toBeNull();
    },
  );

  it('rejects leading zeros, which would be a second spelling of the same release', () => {
    expect(parseReleaseTag('v37-06')).toBeNull();
    expect(parseReleaseTag('v037-6')).toBeNull();
    expect(parseReleaseTag('v0-0')).toEqual({ major: 0, patch: 0, text: 'v0-0' });
  });
});

describe('compareReleaseTags and latestReleaseTag', () => {
  it('orders numerically, not as text', () => {
    const tags = ['v36-10', 'v36-9', 'v37-0', 'v36-6'].map((tag) => parseReleaseTag(tag)!);
    expect(tags.sort(compareReleaseTags).map((tag) => tag.text)).toEqual(['v36-6', 'v36-9', 'v36-10', 'v37-0']);
  });

  it('picks the highest release tag and ignores other formats', () => {
    expect(latestReleaseTag(['v30', 'v36-9', 'v37-5', 'v37-10', 'Zesty-Zapdos', 'v38.0', 'v99-01'])).toBe('v37-10');
  });

  it('returns null when no tag is a release tag', () => {
    expect(latestReleaseTag([])).toBeNull();
    expect(latestReleaseTag(['v30', 'Carbonaceous-Comet'])).toBeNull();
  });
});

describe('isNextReleaseTag', () => {
  it('accepts the next patch and the next major at 0', () => {
    expect(isNextReleaseTag('v37-5', 'v37-6')).toBe(true);
    expect(isNextReleaseTag('v37-5', 'v38-0')).toBe(true);
    expect(nextReleaseTags('v37-5')).toEqual({ patch: 'v37-6', major: 'v38-0' });
  });

  it.each([
    ['v37-5', 'v37-7', 'skips ahead'],
    ['v37-5', 'v38-1', 'skips ahead'],
    ['v37-5', 'v39-0', 'skips ahead'],
    ['v37-5', 'v37-5', 'already the latest'],
    ['v37-5', 'v37-4', 'older than'],
    ['v37-5', 'v36-10', 'older than'],
  ])('refuses %s -> %s and names the valid tags', (previous, next, why) => {
    expect(isNextReleaseTag(previous, next)).toBe(false);
    const check = checkNextReleaseTag(previous, next);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.reason).toContain(why);
    expect(check.reason).toContain('v37-6');
    expect(check.reason).toContain('v38-0');
  });

  it('explains the format when the new tag is malformed', () => {
    const check = checkNextReleaseTag('v37-5', 'v37.6');
    expect(check).toEqual({ ok: false, reason: expect.stringContaining('v37-6 or v38-0') });
  });

  it('accepts any well-formed tag for a repository without releases', () => {
    expect(checkNextReleaseTag(null, 'v1-0')).toEqual({ ok: true, tag: { major: 1, patch: 0, text: 'v1-0' } });
    expect(checkNextReleaseTag(null, 'v1-00').ok).toBe(false);
  });

  it('refuses when the previous tag is not a release tag', () => {
    expect(isNextReleaseTag('v30', 'v31-0')).toBe(false);
  });
});
