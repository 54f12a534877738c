import type { CommandEvent } from '../../../bot/chat/chat-event.js';
import { formatChannelRef, parseChannelRef } from '../../../bot/chat/chat-event.js';
import type { ActingContext } from '../../../bot/chat/command.js';
import type { Reply } from '../../../bot/chat/reply.js';
import { createRunbook, findRunbookByTag, setRunbookMessage } from '../../../db/queries/release-runbooks.js';
import { isIntegrationError, UserError } from '../../../errors.js';
import { renderIntegrationError } from '../../../bot/chat/render-error.js';
import { buildHotfixChecklist, hotfixRunbookTag, IMAGE_TAG } from './build-hotfix-checklist.js';
import { calendarDayIn } from './calendar-days.js';
import { fallbackBuild, pushedAtText } from './check-release-images.js';
import { renderRunbook } from './render-runbook.js';
import { isDockerHubImageName } from '../../../model/docker-image-name.js';

export interface HotfixInput {
  tag: string;
  image?: string | undefined;
  channel?: string | undefined;
}

/** The image the release process hotfixes: the Atmosphere service's. */
export const DEFAULT_HOTFIX_IMAGE = 'cyverse/atmosphere';

/** Whether Docker Hub has the image, in one sentence; a hotfix can also run from a locally built image, so this only informs. */
async function imageNote(ctx: ActingContext, image: string, tag: string): Promise<string> {
  if (!ctx.deps.images) return '';
  try {
    const found = await ctx.deps.images.findTag(image, tag);
    if (found) return `${image}:${tag} is on Docker Hub${found.pushedAt ? ` (pushed ${pushedAtText(found.pushedAt)})` : ''}.`;
    return `${image}:${tag} is not on Docker Hub: \`pull\` will not find it, so build it on the server first: ${fallbackBuild(image, tag)}`;
  } catch (error) {
    if (!isIntegrationError(error)) throw error;
    ctx.log.warn({ err: error, image, tag }, 'could not ask Docker Hub for the hotfix image');
    return `Whether ${image}:${tag} is on Docker Hub could not be checked: ${renderIntegrationError(error)}`;
  }
}

/**
 * `/atmo release hotfix <image tag>`: posts the release process's hotfix procedure as a checklist
 * message, its commands filled in with the image, and keeps it like a runbook (Done buttons, once
 * each, kept across restarts and replicas; reminded of the next day if a step is left open).
 */
export async function startHotfix(ctx: ActingContext<CommandEvent>, input: HotfixInput): Promise<Reply> {
  const { deps } = ctx;
  const tag = input.tag.trim();
  if (!IMAGE_TAG.test(tag)) {
    throw new UserError('usage', `"${tag}" is not a Docker image tag: up to 128 letters, digits, _ . and -, not starting with . or - (e.g. v37-6-hotfix1).`);
  }
  const image = (input.image ?? DEFAULT_HOTFIX_IMAGE).trim();
  if (!isDockerHubImageName(image)) throw new UserError('usage', `--image takes a Docker Hub image name such as cyverse/atmosphere; "${image}" is not one.`);
  const channel = input.channel ? parseChannelRef(input.channel) : (deps.config.announceChannel ?? null);
  if (!channel) {
    throw new UserError(
      'usage',
      input.channel
        ? `--channel takes a channel like slack:C0123 or discord:1234; "${input.channel}" is not one.`
        : 'There is no channel for the hotfix checklist: give one with --channel slack:C0123, or an operator sets ANNOUNCE_CHANNEL.',
    );
  }
  const runbookTag = hotfixRunbookTag(image, tag);
  if (await findRunbookByTag(deps.db, runbookTag)) throw new UserError('conflict', `The hotfix to ${image}:${tag} already has its checklist; tick its steps there.`);

  const now = deps.now();
  const timeZone = deps.config.SITE_TIME_ZONE;
  const day = calendarDayIn(now, timeZone);
  const who = ctx.actor.username;
  const items = buildHotfixChecklist({ image, tag, day });
  const created = await createRunbook(
    deps.db,
    { tag: runbookTag, kind: 'hotfix', deploymentDay: day, sites: [deps.config.RELEASE_SITE], timeZone, chief: who, driver: who, createdBy: who, createdAt: now },
    items.map((item, position) => ({ ...item, position, dueOn: item.due })),
  );
  if (!created) throw new UserError('conflict', `The hotfix to ${image}:${tag} got its checklist from someone else a moment ago; tick its steps there.`);
  ctx.audit({ runbook: created.runbook.id, hotfix: `${image}:${tag}` });
  const note = await imageNote(ctx, image, tag);

  const posted = await deps.chat.post(channel, renderRunbook(created.runbook, created.items, now, deps.config.RELEASE_SITE));
  await setRunbookMessage(deps.db, created.runbook.id, { platform: posted.platform, channel: posted.channel, messageId: posted.id });
  return {
    text: [`The hotfix to ${image}:${tag} is a checklist of ${items.length} steps in ${formatChannelRef(channel)}; Done buttons tick them.`, note].filter(Boolean).join('\n'),
    tone: 'success',
  };
}
