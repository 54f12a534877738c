import type { ActionEvent } from '../../bot/chat/chat-event.js';
import type { ActingContext } from '../../bot/chat/command.js';
import type { Reply } from '../../bot/chat/reply.js';
import { UserError } from '../../errors.js';
import { claimReleasePlan, finishReleasePlan, getReleasePlan, type ReleasePlanRow, type RepoReleaseOutcome } from '../../db/queries/releases.js';
import { formatChannelRef } from '../../bot/chat/chat-event.js';
import { createSourceBoard } from './progress-board.js';
import { tickStepDoneByCommand } from './runbook/tick-runbook-item.js';
import { renderReleaseProgress, type RepoProgress } from './render-release-progress.js';
import { renderAnnouncement } from './render-release-plan.js';
import { releaseSetup, repoFailureText } from './release-setup.js';

/** A confirmation older than this is refused: the merged state it was built on may have moved on. */
export const RELEASE_PLAN_TTL_MS = 24 * 60 * 60 * 1000;

/** The refusal for a click on a plan that no longer waits for confirmation. */
export function planClosedError(row: ReleasePlanRow | null, id: number): UserError {
  if (!row) return new UserError('not_found', `There is no release plan #${id}. Run \`/atmo release tag <tag>\` for a fresh confirmation.`);
  const when = (row.confirmedAt ?? row.finishedAt)?.toISOString().replace('T', ' ').slice(0, 16);
  if (row.state === 'cancelled') return new UserError('already_decided', `${row.confirmedBy} cancelled release plan #${id} for ${row.tag}${when ? ` at ${when} UTC` : ''}. Nothing was created.`);
  return new UserError('already_decided', `${row.confirmedBy} already confirmed release ${row.tag} (plan #${id})${when ? ` at ${when} UTC` : ''}. Nothing more was done.`);
}

/** Refuses a plan that is not waiting for confirmation, or is too old to trust. */
export function checkPlanOpen(row: ReleasePlanRow | null, id: number, now: Date): ReleasePlanRow {
  if (!row || row.state !== 'pending') throw planClosedError(row, id);
  if (now.getTime() - row.createdAt.getTime() > RELEASE_PLAN_TTL_MS) {
    throw new UserError('conflict', `This confirmation for ${row.tag} is more than a day old; run \`/atmo release tag ${row.tag}\` again for a fresh one.`);
  }
  return row;
}

/**
 * The confirmation click: claims the plan (the first click wins), creates the tag and GitHub
 * release on each repository still missing one, editing the confirmation as it goes, then announces
 * the releases this run created. A failed repository is reported with how to finish; the others
 * stay done.
 */
export async function runReleasePlan(ctx: ActingContext<ActionEvent>, id: number): Promise<Reply> {
  const { deps } = ctx;
  const { releases } = releaseSetup(deps);
  const by = ctx.actor.username;
  checkPlanOpen(await getReleasePlan(deps.db, id), id, deps.now());
  const claim = await claimReleasePlan(deps.db, id, by, deps.now());
  if (!claim.claimed) throw planClosedError(claim.row, id);
  const { tag } = claim.row;

  const progress: RepoProgress[] = claim.row.repos.map((item) =>
    item.kind === 'existing'
      ? { repo: item.repo, state: 'done', steps: [{ step: 'release', outcome: 'existing', detail: `release ${tag} already existed` }], ...(item.releaseUrl ? { link: { label: 'release', url: item.releaseUrl } } : {}) }
      : { repo: item.repo, state: 'pending', steps: [] },
  );
  const title = `Creating release ${tag}`;
  const footer = `Confirmed by ${by} (plan #${id}).`;
  const board = createSourceBoard(ctx.updateSource, ctx.log);
  const outcomes: RepoReleaseOutcome[] = [];
  const created: { repo: string; url: string }[] = [];
  // Things done other than asked (a tag already on another commit): repeated under the result.
  const warnings: string[] = [];

  for (const [index, item] of claim.row.repos.entries()) {
    const line = progress[index]!;
    if (item.kind === 'existing') {
      outcomes.push({ repo: item.repo, outcome: 'existing', url: item.releaseUrl, detail: 'already existed when planned' });
      continue;
    }
    line.state = 'running';
    await board.show(renderReleaseProgress({ title, repos: progress, footer }));
    try {
      const result = await releases.createRelease(item.repo, { tag, body: item.body, target: item.target! });
      Object.assign(line, { state: 'done', steps: result.steps, link: { label: 'release', url: result.url } } satisfies Partial<RepoProgress>);
      outcomes.push({ repo: item.repo, outcome: result.alreadyExisted ? 'existing' : 'created', url: result.url, detail: result.steps.map((step) => step.detail).join('; ') });
      if (!result.alreadyExisted) created.push({ repo: item.repo, url: result.url });
      for (const step of result.steps) if (step.warning) warnings.push(`${item.repo}: ${step.detail}`);
    } catch (error) {
      Object.assign(line, { state: 'failed', failure: repoFailureText(error, ctx.log) } satisfies Partial<RepoProgress>);
      outcomes.push({ repo: item.repo, outcome: 'failed', url: null, detail: line.failure! });
    }
  }

  const announcement = await announce(ctx, tag, created, by);
  const failed = progress.filter((line) => line.state === 'failed');
  const ticked = failed.length === 0 ? await tickStepDoneByCommand(deps, tag, 'tag', by, 'release tag') : '';
  const next =
    failed.length === 0
      ? `${announcement} Release ${tag} is done: the tagged Docker Hub builds start from these tags; /atmo release images ${tag} checks them (a runbook ticks its Images built step by itself when they are there).${ticked}`
      : `${announcement} Not finished: ${failed.map((line) => line.repo).join(', ')} failed; the releases made on the others stay. ` +
        `Run \`/atmo release tag ${tag}\` again once GitHub answers: it creates only what is missing and reports existing releases as already there.`;
  const checks = warnings.length > 0 ? `\nWarning: ${warnings.map((warning) => `${warning}.`).join(' ')}` : '';
  const final = renderReleaseProgress({ title: `Release ${tag}`, repos: progress, next: `${next}${checks}`, footer });
  await board.show(final);
  await finishReleasePlan(deps.db, id, deps.now(), outcomes);
  ctx.audit({ tag, planId: id, outcomes: outcomes.map(({ repo, outcome, url }) => ({ repo, outcome, url })) });
  return { ...final, visibility: 'ephemeral' };
}

/** Posts the announcement for what this run created, and says in one sentence what happened. */
async function announce(ctx: ActingContext<ActionEvent>, tag: string, created: readonly { repo: string; url: string }[], by: string): Promise<string> {
  const channel = ctx.deps.config.announceChannel;
  if (created.length === 0) return 'No new release to announce.';
  if (!channel) return 'Not announced: ANNOUNCE_CHANNEL is not set.';
  try {
    await ctx.deps.chat.post(channel, renderAnnouncement(tag, created, by));
    return `Announced in ${formatChannelRef(channel)}.`;
  } catch (error) {
    // The releases exist whatever happens to the announcement; say so rather than fail the click.
    ctx.log.warn({ err: error }, 'could not post the release announcement');
    return `The announcement in ${formatChannelRef(channel)} failed (${error instanceof Error ? error.message : String(error)}); announce ${tag} by hand.`;
  }
}
