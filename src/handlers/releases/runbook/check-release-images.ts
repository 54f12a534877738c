import type { ActingContext } from '../../../bot/chat/command.js';
import type { Reply } from '../../../bot/chat/reply.js';
import type { Deps } from '../../../deps.js';
import { isIntegrationError, UserError } from '../../../errors.js';
import type { ImageTag } from '../../../integrations/registry/image-registry.js';
import { renderIntegrationError } from '../../../bot/chat/render-error.js';
import { tickStepDoneByCommand } from './tick-runbook-item.js';

/** What Docker Hub said of one release image. */
export type ImageCheck = { image: string; state: 'built'; found: ImageTag } | { image: string; state: 'missing' } | { image: string; state: 'unknown'; reason: string };

/** The runbook step the image check ticks. */
export const IMAGES_STEP = 'images';

/**
 * Asks Docker Hub for `<image>:<tag>` of every RELEASE_IMAGES image. Pushing the tag to GitHub starts
 * Docker Hub's automated build (the release process: "This will trigger a new tagged build on
 * Dockerhub"), so right after `release tag` the images are usually not there yet. One image that
 * cannot be asked is reported as such; the others are still checked.
 */
export async function checkReleaseImages(deps: Deps, tag: string): Promise<ImageCheck[]> {
  if (!deps.images) throw new UserError('unavailable', 'The bot has no Docker Hub client in this setup, so it cannot check the release images.');
  const images = deps.config.RELEASE_IMAGES;
  if (images.length === 0) throw new UserError('unavailable', 'RELEASE_IMAGES is empty: an operator lists the images a release builds there, e.g. cyverse/atmosphere,cyverse/troposphere.');
  const registry = deps.images;
  return Promise.all(
    images.map(async (image): Promise<ImageCheck> => {
      try {
        const found = await registry.findTag(image, tag);
        return found ? { image, state: 'built', found } : { image, state: 'missing' };
      } catch (error) {
        if (!isIntegrationError(error)) throw error;
        deps.log.warn({ err: error, image, tag }, 'could not ask Docker Hub for a release image');
        return { image, state: 'unknown', reason: renderIntegrationError(error) };
      }
    }),
  );
}

export const allBuilt = (checks: readonly ImageCheck[]): boolean => checks.length > 0 && checks.every((check) => check.state === 'built');

/**
 * The release process's fallback when the Hub build cannot be waited for: a shallow clone of the tag
 * and a local build. The image's repository on GitHub has the image's name (cyverse/atmosphere).
 */
export function fallbackBuild(image: string, tag: string): string {
  const name = image.split('/')[1]!;
  return `git clone --depth 1 --branch ${tag} https://github.com/${image}.git && cd ${name} && docker build -t ${image}:${tag} .`;
}

/** When Docker Hub says a tag was pushed, to the minute in UTC: `2026-11-23 16:40 UTC`. */
export const pushedAtText = (at: Date): string => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function pushedText(found: ImageTag): string {
  const when = found.pushedAt ? `pushed ${pushedAtText(found.pushedAt)}` : 'push time not given';
  return `${when}${found.platforms.length > 0 ? `, ${found.platforms.join(', ')}` : ''}`;
}

/** One line per image, then the fallback build for each image not there yet. */
export function describeImageChecks(tag: string, checks: readonly ImageCheck[]): string {
  const lines = checks.map((check) => {
    if (check.state === 'built') return `• ${check.image}:${tag}: on Docker Hub (${pushedText(check.found)})`;
    if (check.state === 'missing') return `• ${check.image}:${tag}: not on Docker Hub yet`;
    return `• ${check.image}:${tag}: could not be checked: ${check.reason}`;
  });
  const missing = checks.filter((check) => check.state === 'missing');
  if (missing.length > 0) {
    lines.push(
      'Docker Hub builds the images from the tag, which can take a while. If the deployment cannot wait, build them from a shallow clone of the tag:',
      ...missing.map((check) => `    ${fallbackBuild(check.image, tag)}`),
    );
  }
  return lines.join('\n');
}

/**
 * `release images` and the runbook's Check images button: the check, said image by image, and the
 * Images built step ticked for the person who asked when every image is there.
 */
export async function releaseImagesReply(ctx: ActingContext, tag: string): Promise<Reply> {
  const checks = await checkReleaseImages(ctx.deps, tag);
  const built = allBuilt(checks);
  const ticked = built ? await tickStepDoneByCommand(ctx.deps, tag, IMAGES_STEP, ctx.actor.username, 'release images') : '';
  ctx.audit({ tag, images: Object.fromEntries(checks.map((check) => [check.image, check.state])) });
  const head = built ? `Every image of ${tag} is on Docker Hub.` : `Not every image of ${tag} is on Docker Hub yet.`;
  return { text: `${head}\n${describeImageChecks(tag, checks)}${ticked}`, visibility: 'ephemeral' };
}
