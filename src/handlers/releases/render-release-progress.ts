import type { Reply, Section } from '../../bot/chat/reply.js';
import type { ReleaseStep, ReleaseStepName } from '../../integrations/github/github-releases.js';

/** Where one repository stands in a release run. */
export type RepoProgressState = 'pending' | 'running' | 'done' | 'failed';

export interface RepoProgress {
  repo: string;
  state: RepoProgressState;
  /** What was created or found already there, in order. */
  steps: ReleaseStep[];
  /** Why the repository failed (state `failed`). */
  failure?: string;
  /** What is left behind on a failed repository, when it could be checked. */
  leftover?: string;
  /** The pull request or release page once there is one. */
  link?: { label: string; url: string };
}

const STEP_NAMES: Record<ReleaseStepName, string> = {
  branch: 'branch',
  changelog: 'changelog',
  pull_request: 'pull request',
  tag: 'tag',
  release: 'release',
};

const STATE_MARKS: Record<RepoProgressState, string> = {
  pending: '[ ]',
  running: '[…]',
  done: '[✓]',
  failed: '[✗]',
};

/** One step as a progress line: `branch: done (created release/v37-6 from master)`. */
export function renderStepLine(step: ReleaseStep): string {
  const outcome = step.outcome === 'created' ? 'done' : 'existing';
  return `${STEP_NAMES[step.step]}: ${outcome} (${step.detail})`;
}

/** The lines of one repository: its state, then each step, the failure and what it left behind. */
export function renderRepoProgress(progress: RepoProgress): string {
  const head =
    progress.state === 'pending'
      ? `${STATE_MARKS.pending} ${progress.repo}: pending`
      : progress.state === 'running'
        ? `${STATE_MARKS.running} ${progress.repo}: working…`
        : progress.state === 'failed'
          ? `${STATE_MARKS.failed} ${progress.repo}: failed`
          : `${STATE_MARKS.done} ${progress.repo}: done`;
  const lines = [
    progress.link ? `${head}, ${progress.link.label}: ${progress.link.url}` : head,
    ...progress.steps.map((step) => `    ${renderStepLine(step)}`),
  ];
  if (progress.failure) lines.push(`    failed: ${progress.failure}`);
  if (progress.leftover) lines.push(`    left as is: ${progress.leftover}`);
  return lines.join('\n');
}

/** Counts for a headline: how many repositories are done, failed and still to go. */
export function summarizeProgress(repos: readonly RepoProgress[]): { done: number; failed: number; remaining: number } {
  const done = repos.filter((repo) => repo.state === 'done').length;
  const failed = repos.filter((repo) => repo.state === 'failed').length;
  return { done, failed, remaining: repos.length - done - failed };
}

/**
 * The progress message of a release run: a headline, one section per repository and, once the run
 * is over, what to do next. The same rendering serves every edit, so the last edit is the record.
 */
export function renderReleaseProgress(input: { title: string; repos: readonly RepoProgress[]; next?: string; footer?: string }): Reply {
  const { done, failed, remaining } = summarizeProgress(input.repos);
  const counts = `${done} of ${input.repos.length} done${failed > 0 ? `, ${failed} failed` : ''}${remaining > 0 ? `, ${remaining} to go` : ''}`;
  const sections: Section[] = input.repos.map((repo) => ({ text: renderRepoProgress(repo) }));
  const tone = remaining > 0 ? 'info' : failed > 0 ? (done > 0 ? 'warning' : 'danger') : 'success';
  return {
    text: `${input.title}: ${counts}.${input.next ? `\n${input.next}` : ''}`,
    sections,
    visibility: 'channel',
    tone,
    ...(input.footer ? { footer: input.footer } : {}),
  };
}
