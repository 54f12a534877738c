import type { Reply } from '../../bot/chat/reply.js';
import type { ReleaseInfo, ReleasePullRequestStatus } from '../../integrations/github/github-releases.js';

export type RepoReleaseStatus =
  | { repo: string; pull: ReleasePullRequestStatus; release: ReleaseInfo | null; latestTag: string | null }
  | { repo: string; error: string };

function pullLine(tag: string, pull: ReleasePullRequestStatus): string {
  if (pull.state === 'missing') return `pull request: none yet (\`/atmo release prepare ${tag}\` opens it)`;
  const merged = pull.state === 'merged' && pull.mergeCommitSha ? ` as ${pull.mergeCommitSha.slice(0, 7)}` : '';
  return `pull request: #${pull.number} ${pull.state}${merged} ${pull.url}`;
}

function tagLine(tag: string, status: { release: ReleaseInfo | null; latestTag: string | null }): string {
  if (status.release) return `tag: ${tag} exists`;
  if (status.latestTag === tag) return `tag: ${tag} exists (without a release)`;
  return `tag: not created (latest tag ${status.latestTag ?? 'none'})`;
}

function releaseLine(release: ReleaseInfo | null): string {
  if (!release) return 'release: not created';
  const flags = [release.draft ? 'draft' : '', release.prerelease ? 'pre-release' : ''].filter(Boolean).join(', ');
  return `release: "${release.name}" published${flags ? ` (${flags})` : ''} ${release.url}`;
}

/** Where `tag` stands on each repository: its pull request, its tag and its GitHub release. */
export function renderReleaseStatus(tag: string, repos: readonly RepoReleaseStatus[]): Reply {
  const ready = repos.filter((status) => 'release' in status && status.release !== null).length;
  return {
    text: `Release ${tag}: published on ${ready} of ${repos.length} repositories.`,
    sections: repos.map((status) => ({
      text:
        'error' in status
          ? `${status.repo}\n    could not check: ${status.error}`
          : [status.repo, pullLine(tag, status.pull), tagLine(tag, status), releaseLine(status.release)].join('\n    '),
    })),
    tone: 'info',
  };
}
