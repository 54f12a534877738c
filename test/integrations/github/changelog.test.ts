import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ChangelogError, extractReleaseSection, releaseChangelog } from '../../../src/integrations/github/changelog.js';
import { UserError } from '../../../src/errors.js';

const fixture = readFileSync(new URL('../../fixtures/changelog-atmosphere.md', import.meta.url), 'utf8');
const options = { tag: 'v37-6', previousTag: 'v37-5', date: '2022-03-01', repoUrl: 'https://github.com/cyverse/atmosphere' };

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('releaseChangelog', () => {
  it('moves the Unreleased items into a new release section under a fresh Unreleased heading', () => {
    const { text } = releaseChangelog(fixture, options);
    const start = text.indexOf('## [Unreleased]');
    const end = text.indexOf('## [v37-5]');
    expect(text.slice(start, end)).toBe(
      [
        '## [Unreleased](https://github.com/cyverse/atmosphere/compare/v37-6...HEAD) - YYYY-MM-DD',
        '',
        '## [v37-6](https://github.com/cyverse/atmosphere/compare/v37-5...v37-6) - 2022-03-01',
        '### Added',
        '  - Staff can close an imaging request from the admin API without e-mailing',
        '    the requester ([#761](https://github.com/cyverse/atmosphere/pull/761))',
        '',
        '### Fixed',
        '  - Resource request approval no longer fails when the quota already exists',
        '    ([#759](https://github.com/cyverse/atmosphere/pull/759))',
        '    - The existing quota row is reused instead of creating a duplicate',
        '  - Instance history shows `deploy_error` again',
        '    ([#760](https://github.com/cyverse/atmosphere/pull/760))',
        '',
        '',
      ].join('\n'),
    );
  });

  it('keeps the intro, the template comment and every older section byte for byte', () => {
    const { text } = releaseChangelog(fixture, options);
    const head = fixture.slice(0, fixture.indexOf('## [Unreleased]'));
    const tail = fixture.slice(fixture.indexOf('## [v37-5]'));
    expect(text.startsWith(head)).toBe(true);
    expect(text.endsWith(tail)).toBe(true);
    expect(text).toContain('<!--\n## [<exact release including patch>](<github compare url>) - <release date in YYYY-MM-DD>\n### Added\n');
  });

  it('returns the release body without its heading and without empty sub-headings', () => {
    const { section } = releaseChangelog(fixture, options);
    expect(section.startsWith('### Added\n  - Staff can close')).toBe(true);
    expect(section).not.toContain('### Changed');
    expect(section).not.toContain('## [');
    expect(section.endsWith('([#760](https://github.com/cyverse/atmosphere/pull/760))')).toBe(true);
  });

  it('can release again from its own output, and the sections read back', () => {
    const first = releaseChangelog(fixture, options).text;
    expect(releaseChangelog(first, { ...options, tag: 'v38-0', previousTag: 'v37-6' })).toMatchObject({ empty: true, section: '' });
    const withEntry = first.replace(
      '...HEAD) - YYYY-MM-DD\n',
      '...HEAD) - YYYY-MM-DD\n### Security\n  - Rotate the session secret on upgrade\n',
    );
    const second = releaseChangelog(withEntry, { ...options, tag: 'v38-0', previousTag: 'v37-6', date: '2022-04-01' });
    expect(second.text).toContain('## [Unreleased](https://github.com/cyverse/atmosphere/compare/v38-0...HEAD) - YYYY-MM-DD\n\n## [v38-0](https://github.com/cyverse/atmosphere/compare/v37-6...v38-0) - 2022-04-01\n### Security\n');
    expect(extractReleaseSection(second.text, 'v38-0')).toBe('### Security\n  - Rotate the session secret on upgrade');
    expect(extractReleaseSection(second.text, 'v37-6')).toBe(releaseChangelog(fixture, options).section);
  });

  it('refuses a tag that already has a section', () => {
    const error = catchError(() => releaseChangelog(fixture, { ...options, tag: 'v37-4', previousTag: 'v37-3' }));
    expect(error).toBeInstanceOf(ChangelogError);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ problem: 'already_released', code: 'conflict' });
    expect((error as Error).message).toContain('already has a section for v37-4');
  });

  it('refuses when there is no Unreleased heading, ignoring the template inside the comment', () => {
    const withoutUnreleased = fixture.replace(/## \[Unreleased\][^\n]*\n/, '');
    const error = catchError(() => releaseChangelog(withoutUnreleased, options));
    expect(error).toMatchObject({ problem: 'no_unreleased', code: 'not_found' });
    expect((error as Error).message).toContain('Unreleased');
  });

  it('moves an Unreleased section with no entries as an empty release section, for entries written in the release commit', () => {
    const empty = '# Changelog\n\n## [Unreleased](https://github.com/cyverse/atmosphere/compare/v37-5...HEAD) - YYYY-MM-DD\n### Added\n\n### Fixed\n\n## [v37-5](https://github.com/cyverse/atmosphere/compare/v37-4...v37-5) - 2022-02-14\n### Fixed\n  - x\n';
    const moved = releaseChangelog(empty, options);
    expect(moved).toMatchObject({ empty: true, section: '' });
    expect(moved.text).toContain('## [Unreleased](https://github.com/cyverse/atmosphere/compare/v37-6...HEAD) - YYYY-MM-DD\n\n## [v37-6](https://github.com/cyverse/atmosphere/compare/v37-5...v37-6) - 2022-03-01\n\n## [v37-5]');
    expect(extractReleaseSection(moved.text, 'v37-6')).toBe('');
    // The older releases are kept as they were.
    expect(extractReleaseSection(moved.text, 'v37-5')).toBe('### Fixed\n  - x');
  });

  it('refuses a malformed date instead of writing it into the heading', () => {
    expect(catchError(() => releaseChangelog(fixture, { ...options, date: '03/01/2022' }))).toMatchObject({ problem: 'invalid_option' });
  });

  it('handles a changelog whose only section is Unreleased, and keeps CRLF line endings', () => {
    const crlf = '# Changelog\r\n\r\n## [Unreleased](https://github.com/cyverse/troposphere/compare/v36-6...HEAD) - YYYY-MM-DD\r\n### Fixed\r\n  - Login loop on expired tokens\r\n';
    const { text, section } = releaseChangelog(crlf, { ...options, repoUrl: 'https://github.com/cyverse/troposphere/', tag: 'v36-7', previousTag: 'v36-6' });
    expect(text).toBe(
      '# Changelog\r\n\r\n## [Unreleased](https://github.com/cyverse/troposphere/compare/v36-7...HEAD) - YYYY-MM-DD\r\n\r\n## [v36-7](https://github.com/cyverse/troposphere/compare/v36-6...v36-7) - 2022-03-01\r\n### Fixed\r\n  - Login loop on expired tokens\r\n',
    );
    expect(section).toBe('### Fixed\n  - Login loop on expired tokens');
  });
});

describe('extractReleaseSection', () => {
  it('returns the body of a linked or plain release heading', () => {
    expect(extractReleaseSection(fixture, 'v37-5')).toBe('### Fixed\n  - Pin the ansible collection used by instance deploys\n    ([#757](https://github.com/cyverse/atmosphere/pull/757))');
    expect(extractReleaseSection(fixture, 'Undulating-Umbrellabird')).toBe('### Added\n  - Move authentication to django_cyverse_auth');
  });

  it('returns null for a tag without a section, and does not match a prefix', () => {
    expect(extractReleaseSection(fixture, 'v37-6')).toBeNull();
    expect(extractReleaseSection(fixture, 'v37')).toBeNull();
    expect(extractReleaseSection(fixture, '<exact release including patch>')).toBeNull();
  });
});
