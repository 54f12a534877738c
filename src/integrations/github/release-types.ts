/**
 * What the release verbs return, and the interface handlers depend on; `github-releases.ts` implements
 * it over the GitHub REST API.
 */

export type ReleaseStepName = 'branch' | 'changelog' | 'pull_request' | 'tag' | 'release';

/** One thing done (or found already done) on one repository, for the progress message. */
export interface ReleaseStep {
  step: ReleaseStepName;
  outcome: 'created' | 'existing';
  detail: string;
  /** Set when the step did something other than asked, which staff should check (detail says what). */
  warning?: boolean;
}

export interface ReleasePullRequest {
  repo: string;
  tag: string;
  number: number;
  url: string;
  branch: string;
  base: string;
  alreadyOpen: boolean;
  /** The release notes moved out of Unreleased (empty when they could not be read back). */
  section: string;
  steps: ReleaseStep[];
}

export type ReleasePullRequestStatus =
  | { state: 'missing' }
  | { state: 'open' | 'merged' | 'closed'; number: number; url: string; branch: string; mergeCommitSha: string | null };

export interface ReleaseInfo {
  tag: string;
  name: string;
  url: string;
  body: string;
  target: string;
  draft: boolean;
  prerelease: boolean;
}

export interface CreatedRelease {
  repo: string;
  tag: string;
  url: string;
  alreadyExisted: boolean;
  /** The tag was there before this call (made by hand, or by an earlier call). */
  tagExisted: boolean;
  /** The commit the tag points at, when GitHub reports it. */
  tagSha: string | null;
  steps: ReleaseStep[];
}

export interface GitHubReleases {
  /** The highest `v<major>-<patch>` tag of `repo` (owner/name) across every page, or null. */
  latestTag(repo: string): Promise<string | null>;
  /** CHANGELOG.md at a branch, tag or sha, with its blob sha; null when the file does not exist. */
  readChangelog(repo: string, ref: string): Promise<{ text: string; sha: string } | null>;
  /** Opens (or finds) the "Release <tag>" pull request that updates the changelog. */
  openReleasePullRequest(repo: string, input: { tag: string; previousTag: string; date: string }): Promise<ReleasePullRequest>;
  /** Where the release pull request for `tag` stands, with its merge commit once merged. */
  releasePullRequestState(repo: string, tag: string): Promise<ReleasePullRequestStatus>;
  /** Creates the GitHub release `tag` (and the tag, from `target`) unless it exists already. */
  createRelease(repo: string, input: { tag: string; body: string; target: string }): Promise<CreatedRelease>;
  /** The release named `tag`, or null. */
  getRelease(repo: string, tag: string): Promise<ReleaseInfo | null>;
}
