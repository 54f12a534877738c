import type { Reply, Section } from '../../bot/chat/reply.js';
import { formatChannelRef, type ChannelRef } from '../../bot/chat/chat-event.js';
import type { PlannedRepoRelease } from '../../db/queries/releases.js';
import type { ReleasePullRequestStatus } from '../../integrations/github/github-releases.js';

export const CONFIRM_TAG_ACTION = 'rel:confirm-tag';
export const CANCEL_TAG_ACTION = 'rel:cancel-tag';

/** Exactly what the confirmation will create on one repository. */
export function describePlannedRelease(tag: string, item: PlannedRepoRelease): string {
  if (item.kind === 'existing') return `${item.repo}: release ${tag} already exists (${item.releaseUrl ?? 'no link'}); nothing to do.`;
  return [
    `${item.repo}: tag ${tag} on ${item.target} (merge commit of pull request #${item.pullNumber} ${item.pullUrl}),`,
    `then the GitHub release titled "${tag}" with these notes:`,
    item.body,
  ].join('\n');
}

/** The confirmation: what will be created where, then announced where, with Confirm and Cancel. */
export function renderReleasePlan(plan: {
  id: number;
  tag: string;
  repos: readonly PlannedRepoRelease[];
  createdBy: string;
  announceChannel: ChannelRef | undefined;
}): Reply {
  const toCreate = plan.repos.filter((item) => item.kind === 'create').length;
  const sections: Section[] = plan.repos.map((item) => ({ text: describePlannedRelease(plan.tag, item) }));
  const announce = plan.announceChannel
    ? `Then the new releases are announced in ${formatChannelRef(plan.announceChannel)}.`
    : 'ANNOUNCE_CHANNEL is not set, so nothing will be announced.';
  return {
    title: `Release ${plan.tag}`,
    text: `Create release ${plan.tag} on ${toCreate} of ${plan.repos.length} repositories? Confirming creates, on each repository:\n${announce}`,
    sections,
    buttons: [
      { label: `Create ${plan.tag}`, action: CONFIRM_TAG_ACTION, value: String(plan.id), style: 'primary' },
      { label: 'Cancel', action: CANCEL_TAG_ACTION, value: String(plan.id) },
    ],
    footer: `Plan #${plan.id}, prepared by ${plan.createdBy}. Any staff member may confirm; the first click acts.`,
    tone: 'warning',
  };
}

export type PullRefusal = { repo: string; pull: ReleasePullRequestStatus };

/** Why tagging has to wait: one line per repository whose release pull request is not merged. */
export function renderNotMerged(tag: string, blocked: readonly PullRefusal[]): string {
  const lines = blocked.map(({ repo, pull }) => {
    if (pull.state === 'missing') return `• ${repo}: no release pull request; run \`/atmo release prepare ${tag}\` first.`;
    if (pull.state === 'open') return `• ${repo}: pull request #${pull.number} is not merged yet: ${pull.url}`;
    return `• ${repo}: pull request #${pull.number} was closed without merging: ${pull.url} (reopen and merge it, or run \`/atmo release prepare ${tag}\` again).`;
  });
  return `Nothing was created: ${tag} can be tagged once every release pull request is merged.\n${lines.join('\n')}`;
}

/** The announcement of the repositories whose release this run created. */
export function renderAnnouncement(tag: string, created: readonly { repo: string; url: string }[], by: string): Reply {
  return {
    title: `Atmosphere ${tag} released`,
    text: `Release ${tag} is published on ${created.map((item) => item.repo).join(', ')}.`,
    sections: created.map((item) => ({ text: `${item.repo}: ${item.url}` })),
    footer: `Released by ${by}.`,
    visibility: 'channel',
    tone: 'success',
  };
}
