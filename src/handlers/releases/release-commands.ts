import { z } from 'zod';
import { defineCommand } from '../../bot/chat/command.js';
import { prepareRelease } from './prepare-release.js';
import { planReleaseTag } from './plan-release-tag.js';
import { releaseSetup, releaseTagArg, releaseTagOption, repoFailureText } from './release-setup.js';
import { renderReleaseStatus, type RepoReleaseStatus } from './render-release-status.js';

export const prepareReleaseCommand = defineCommand({
  name: 'release prepare',
  summary: 'Move each changelog\'s Unreleased items into a release and open the release pull requests',
  usage: '/atmo release prepare <tag vMM-N>',
  options: [releaseTagOption],
  args: z.object({ tag: releaseTagArg }),
  permission: 'staff',
  run: (ctx, args) => prepareRelease(ctx, args.tag),
});

export const tagReleaseCommand = defineCommand({
  name: 'release tag',
  summary: 'Once the release pull requests are merged, tag and publish the GitHub releases (asks first)',
  usage: '/atmo release tag <tag vMM-N>',
  options: [releaseTagOption],
  args: z.object({ tag: releaseTagArg }),
  permission: 'staff',
  run: (ctx, args) => planReleaseTag(ctx, args.tag),
});

export const releaseStatusCommand = defineCommand({
  name: 'release status',
  summary: 'Show, per repository, the release pull request and whether the tag and release exist',
  usage: '/atmo release status <tag vMM-N>',
  options: [releaseTagOption],
  args: z.object({ tag: releaseTagArg }),
  permission: 'linked',
  async run(ctx, args) {
    const { releases, repos } = releaseSetup(ctx.deps);
    const statuses = await Promise.all(
      repos.map(async (repo): Promise<RepoReleaseStatus> => {
        try {
          const [pull, release, latestTag] = await Promise.all([
            releases.releasePullRequestState(repo, args.tag),
            releases.getRelease(repo, args.tag),
            releases.latestTag(repo),
          ]);
          return { repo, pull, release, latestTag };
        } catch (error) {
          // One unreachable repository should not hide where the others stand.
          return { repo, error: repoFailureText(error, ctx.log) };
        }
      }),
    );
    return renderReleaseStatus(args.tag, statuses);
  },
});
