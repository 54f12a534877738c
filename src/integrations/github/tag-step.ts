import type { ReleaseStep } from './release-types.js';

const FULL_SHA = /^[0-9a-f]{40}$/i;

/**
 * The tag step of a new release. `before` and `after` are the tag's commit before and after the call;
 * `wanted` the commit the release was meant for (null when unknown). GitHub ignores target_commitish
 * for an existing tag, so a tag found on another commit means the release describes that commit:
 * the step says so as a warning.
 */
export function describeTagStep(input: { tag: string; target: string; before: string | null; after: string | null; wanted: string | null }): ReleaseStep {
  const { tag, target, before, after, wanted } = input;
  if (before === null) return { step: 'tag', outcome: 'created', detail: `tagged ${(after ?? target).slice(0, 7)} as ${tag}` };
  if (wanted === null || wanted === before) return { step: 'tag', outcome: 'existing', detail: `tag ${tag} already existed at ${before.slice(0, 7)}` };
  const named = FULL_SHA.test(target) ? `the merge commit ${wanted.slice(0, 7)}` : `${target} (${wanted.slice(0, 7)})`;
  return {
    step: 'tag',
    outcome: 'existing',
    detail: `tag ${tag} already points at ${before.slice(0, 7)}, not ${named}; the release is attached to the existing tag`,
    warning: true,
  };
}
