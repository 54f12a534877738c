import { UserError } from '../../errors.js';

/**
 * Keep a Changelog 1.0.0 as the Atmosphere repositories write it:
 *
 *   ## [Unreleased](https://github.com/cyverse/atmosphere/compare/v37-5...HEAD) - YYYY-MM-DD
 *   ### Fixed
 *     - Something ([#756](https://github.com/cyverse/atmosphere/pull/756))
 *
 *   ## [v37-5](https://github.com/cyverse/atmosphere/compare/v37-4...v37-5) - 2022-02-14
 *
 * The files open with an HTML comment holding a template full of `## [...]` headings, so headings
 * inside comments are never taken as sections. Everything outside the Unreleased section is kept
 * byte for byte: the edit splices the original text rather than re-rendering it.
 */

export type ChangelogProblem = 'no_unreleased' | 'empty_unreleased' | 'already_released' | 'invalid_option';

/** The changelog cannot be released as asked; the message tells staff what to fix. */
export class ChangelogError extends UserError {
  constructor(
    readonly problem: ChangelogProblem,
    message: string,
  ) {
    super(problem === 'no_unreleased' ? 'not_found' : problem === 'invalid_option' ? 'invalid_value' : 'conflict', message);
  }
}

export interface ReleaseChangelogOptions {
  tag: string;
  previousTag: string;
  /** Release date as YYYY-MM-DD. */
  date: string;
  /** https://github.com/owner/name, used for the compare links. */
  repoUrl: string;
}

interface Line {
  start: number;
  /** Start of the following line (after this line's end-of-line). */
  next: number;
  /** The line without its end-of-line characters. */
  text: string;
  /** The line lies in (or opens) an HTML comment. */
  comment: boolean;
}

function scanLines(text: string): Line[] {
  const lines: Line[] = [];
  let open = false;
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const next = newline === -1 ? text.length : newline + 1;
    const raw = text.slice(start, newline === -1 ? text.length : newline);
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const atStart = open;
    let touched = open;
    for (let i = 0; i < line.length; ) {
      const marker = open ? line.indexOf('-->', i) : line.indexOf('<!--', i);
      if (marker === -1) break;
      touched = true;
      open = !open;
      i = marker + (open ? 4 : 3);
    }
    lines.push({ start, next, text: line, comment: atStart || touched });
    start = next;
  }
  return lines;
}

const isSectionHeading = (line: Line): boolean => !line.comment && /^##\s/.test(line.text);
const isUnreleasedHeading = (line: Line): boolean => /^##\s+\[?unreleased\]?(?=[\s(]|$)/i.test(line.text);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isHeadingFor(line: Line, tag: string): boolean {
  const name = escapeRegExp(tag);
  return new RegExp(`^##\\s+(\\[${name}\\]|${name})(?=[\\s(]|$)`).test(line.text);
}

/**
 * Whether a non-blank line comes before the next `###` heading. Walks forward in place: copying the
 * rest of the section for each sub-heading made a changelog of many headings quadratic.
 */
function hasContentBeforeNextSubheading(lines: Line[], from: number): boolean {
  for (let i = from; i < lines.length; i += 1) {
    const other = lines[i]!;
    if (!other.comment && /^###\s/.test(other.text)) return false;
    if (other.text.trim() !== '') return true;
  }
  return false;
}

/** The body lines of a section, without empty `###` sub-headings and surrounding blank lines. */
function sectionBody(lines: Line[], dropEmptySubsections: boolean): { text: string; entries: number } {
  const kept: string[] = [];
  let entries = 0;
  lines.forEach((line, index) => {
    if (dropEmptySubsections && !line.comment && /^###\s/.test(line.text) && !hasContentBeforeNextSubheading(lines, index + 1)) return;
    if (!line.comment && line.text.trim() !== '' && !/^###\s/.test(line.text)) entries += 1;
    kept.push(line.text);
  });
  // Index bounds rather than repeated shift(), which may copy the array once per blank line.
  let first = 0;
  while (first < kept.length && kept[first]!.trim() === '') first += 1;
  let last = kept.length;
  while (last > first && kept[last - 1]!.trim() === '') last -= 1;
  return { text: kept.slice(first, last).join('\n'), entries };
}

function sectionLines(lines: Line[], heading: Line): Line[] {
  const from = lines.indexOf(heading) + 1;
  const to = lines.findIndex((line, index) => index >= from && isSectionHeading(line));
  return lines.slice(from, to === -1 ? lines.length : to);
}

function checkOptions({ tag, previousTag, date, repoUrl }: ReleaseChangelogOptions): void {
  for (const [name, value] of [['tag', tag], ['previous tag', previousTag]] as const) {
    if (!/^[\w.-]+$/.test(value)) throw new ChangelogError('invalid_option', `the ${name} "${value}" cannot be written into a changelog heading.`);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ChangelogError('invalid_option', `the release date "${date}" must be YYYY-MM-DD.`);
  if (!/^https?:\/\/\S+$/.test(repoUrl)) throw new ChangelogError('invalid_option', `"${repoUrl}" is not a repository URL.`);
}

/**
 * Moves the Unreleased items into a new `## [<tag>](<repoUrl>/compare/<previousTag>...<tag>) - <date>`
 * section, under a fresh, empty Unreleased heading whose compare link starts at the new tag.
 * Empty `###` sub-headings left over in Unreleased are dropped from the release. Returns the new
 * file and the release section's body (without its heading) for the GitHub release notes.
 *
 * An Unreleased section with no entries is moved all the same, as an empty `tag` section (`empty`):
 * the entries may be written in the release commit itself, as Atmosphere's v37-5 was. `release tag`
 * reads the section at the merge commit and refuses one still empty.
 *
 * @throws ChangelogError when there is no Unreleased heading or the changelog already has a section
 * for `tag`.
 */
export function releaseChangelog(text: string, options: ReleaseChangelogOptions): { text: string; section: string; empty: boolean } {
  checkOptions(options);
  const { tag, previousTag, date } = options;
  const repoUrl = options.repoUrl.replace(/\/+$/, '');
  const lines = scanLines(text);
  const headings = lines.filter(isSectionHeading);
  const unreleased = headings.find(isUnreleasedHeading);
  if (!unreleased) {
    throw new ChangelogError(
      'no_unreleased',
      `CHANGELOG.md has no "## [Unreleased]" section to move into ${tag}; add the Unreleased heading with the changes above the latest release and try again.`,
    );
  }
  if (headings.some((heading) => isHeadingFor(heading, tag))) {
    throw new ChangelogError('already_released', `CHANGELOG.md already has a section for ${tag}; release the next tag instead, or remove that section first.`);
  }
  const bodyLines = sectionLines(lines, unreleased);
  const body = sectionBody(bodyLines, true);
  const empty = body.entries === 0;
  const eol = text.slice(unreleased.start, unreleased.next).endsWith('\r\n') ? '\r\n' : '\n';
  const bodyEnd = bodyLines.length > 0 ? bodyLines[bodyLines.length - 1]!.next : unreleased.next;
  const followed = bodyEnd < text.length;
  const block = [
    `## [Unreleased](${repoUrl}/compare/${tag}...HEAD) - YYYY-MM-DD`,
    '',
    `## [${tag}](${repoUrl}/compare/${previousTag}...${tag}) - ${date}`,
    ...(empty ? [] : body.text.split('\n')),
    ...(followed ? [''] : []),
  ].join(eol);
  return { text: text.slice(0, unreleased.start) + block + eol + text.slice(bodyEnd), section: empty ? '' : body.text, empty };
}

/** The body of the section released as `tag` (without its heading), or null when there is none. */
export function extractReleaseSection(text: string, tag: string): string | null {
  const lines = scanLines(text);
  const heading = lines.find((line) => isSectionHeading(line) && isHeadingFor(line, tag));
  return heading ? sectionBody(sectionLines(lines, heading), false).text : null;
}
