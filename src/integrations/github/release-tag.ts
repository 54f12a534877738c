/**
 * Atmosphere's release tags: `v<major>-<patch>` (`v36-6`, `v37-5`). Each development cycle starts a
 * major at patch 0; hotfix releases bump the patch. Older tags such as `v30` or milestone names
 * (`Zesty-Zapdos`) exist in the repositories and are ignored here rather than rejected.
 */

export interface ReleaseTag {
  major: number;
  patch: number;
  /** The tag exactly as written, e.g. `v37-6`. */
  text: string;
}

/**
 * Leading zeros are refused (`v37-06`, `v037-6`): the tag is compared as numbers, so `v37-06` would
 * be a second spelling of `v37-6` and GitHub would happily hold both as different tags.
 */
const RELEASE_TAG = /^v(0|[1-9]\d{0,5})-(0|[1-9]\d{0,5})$/;

/** Parses exactly `v<major>-<patch>` with no leading zeros, or returns null. */
export function parseReleaseTag(text: string): ReleaseTag | null {
  const match = RELEASE_TAG.exec(text);
  if (!match) return null;
  return { major: Number(match[1]), patch: Number(match[2]), text };
}

/** Orders release tags oldest first (negative when `a` comes before `b`). */
export function compareReleaseTags(a: ReleaseTag, b: ReleaseTag): number {
  return a.major - b.major || a.patch - b.patch;
}

/** The highest `v<major>-<patch>` tag in the list, ignoring every tag in another format. */
export function latestReleaseTag(tags: readonly string[]): string | null {
  let latest: ReleaseTag | null = null;
  for (const name of tags) {
    const tag = parseReleaseTag(name);
    if (tag && (latest === null || compareReleaseTags(tag, latest) > 0)) latest = tag;
  }
  return latest?.text ?? null;
}

/** The two tags that may follow `previous`: the next patch and the next major. */
export function nextReleaseTags(previous: string): { patch: string; major: string } | null {
  const tag = parseReleaseTag(previous);
  if (!tag) return null;
  return { patch: `v${tag.major}-${tag.patch + 1}`, major: `v${tag.major + 1}-0` };
}

export type NextReleaseTagCheck = { ok: true; tag: ReleaseTag } | { ok: false; reason: string };

/**
 * Checks that `next` may be released after `previous` (the repository's latest release tag, or null
 * when it has none yet). Refusals carry a sentence for staff naming the tags that would be valid.
 */
export function checkNextReleaseTag(previous: string | null, next: string): NextReleaseTagCheck {
  const tag = parseReleaseTag(next);
  if (!tag) {
    const hint = previous ? nextReleaseTags(previous) : null;
    const example = hint ? `${hint.patch} or ${hint.major}` : 'v37-6';
    return { ok: false, reason: `"${next}" is not a release tag: use v<major>-<patch> without leading zeros, e.g. ${example}.` };
  }
  if (previous === null) return { ok: true, tag };
  const last = parseReleaseTag(previous);
  if (!last) return { ok: false, reason: `the latest tag "${previous}" is not a v<major>-<patch> release tag.` };
  const allowed = nextReleaseTags(previous)!;
  if (next === allowed.patch || next === allowed.major) return { ok: true, tag };
  const order = compareReleaseTags(tag, last);
  const why =
    order === 0
      ? `${next} is already the latest release`
      : order < 0
        ? `${next} is older than the latest release ${previous}`
        : `${next} skips ahead of the latest release ${previous}`;
  return { ok: false, reason: `${why}; the next release is ${allowed.patch} (patch) or ${allowed.major} (new major).` };
}

/** True when `next` is the next patch or the next major (at patch 0) after `previous`. */
export function isNextReleaseTag(previous: string, next: string): boolean {
  return checkNextReleaseTag(previous, next).ok;
}
