import type { CommandEvent } from '../../../bot/chat/chat-event.js';
import { formatChannelRef, parseChannelRef } from '../../../bot/chat/chat-event.js';
import type { ActingContext, HandlerContext } from '../../../bot/chat/command.js';
import type { Reply } from '../../../bot/chat/reply.js';
import { createRunbook, findRunbookByTag, setRunbookMessage } from '../../../db/queries/release-runbooks.js';
import { findUserByUsername, isUsable } from '../../../db/queries/users.js';
import { UserError } from '../../../errors.js';
import { checkTagAgainstRepos } from '../prepare-release.js';
import { buildChecklist, RELEASE_SITES, type ReleaseSite } from './build-checklist.js';
import { calendarDayIn, formatCalendarDay, parseCalendarDay } from './calendar-days.js';
import { renderRunbook } from './render-runbook.js';

export interface PlanInput {
  tag: string;
  date: string;
  chief: string;
  driver: string;
  sites?: string | undefined;
  channel?: string | undefined;
}

function parseSites(text: string | undefined): ReleaseSite[] {
  if (!text) return ['cyverse'];
  const names = [...new Set(text.split(',').map((site) => site.trim().toLowerCase()).filter(Boolean))];
  const unknown = names.filter((name) => !(RELEASE_SITES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new UserError('usage', `--sites takes ${RELEASE_SITES.join(', ')} or both, comma-separated (e.g. --sites cyverse,jetstream); "${unknown.join(', ')}" is not a site.`);
  }
  return RELEASE_SITES.filter((site) => names.includes(site));
}

async function staffUsername(ctx: HandlerContext, role: string, username: string): Promise<string> {
  const user = await findUserByUsername(ctx.deps.db, username.trim());
  if (!user || !isUsable(user, ctx.deps.now())) throw new UserError('not_found', `The ${role} must be an active Atmosphere account; there is none named "${username}".`);
  if (!user.isStaff) throw new UserError('invalid_value', `The ${role} must be a staff member, and ${user.username} is not staff.`);
  return user.username;
}

/**
 * `/atmo release plan`: checks the tag as `release prepare` does, builds the release process's
 * checklist for the deployment day and posts the release message (the runbook) to the announcement
 * channel. One runbook per tag; a second `plan` of the same tag is refused and points at the first.
 */
export async function planReleaseRunbook(ctx: ActingContext<CommandEvent>, input: PlanInput): Promise<Reply> {
  const { deps } = ctx;
  const timeZone = deps.config.SITE_TIME_ZONE;
  const day = parseCalendarDay(input.date);
  if (!day) throw new UserError('usage', `--date takes the deployment day as YYYY-MM-DD, e.g. --date 2026-12-15; "${input.date}" is not a date.`);
  const today = calendarDayIn(deps.now(), timeZone);
  if (day < today) throw new UserError('invalid_value', `The deployment day ${formatCalendarDay(day)} has passed (today is ${formatCalendarDay(today)} in ${timeZone}).`);
  const sites = parseSites(input.sites);
  const channel = input.channel ? parseChannelRef(input.channel) : (deps.config.announceChannel ?? null);
  if (!channel) {
    throw new UserError(
      'usage',
      input.channel
        ? `--channel takes a channel like slack:C0123 or discord:1234; "${input.channel}" is not one.`
        : 'There is no channel for the release message: give one with --channel slack:C0123, or an operator sets ANNOUNCE_CHANNEL.',
    );
  }
  const [chief, driver] = [await staffUsername(ctx, 'crew chief', input.chief), await staffUsername(ctx, 'driver', input.driver)];
  const existing = await findRunbookByTag(deps.db, input.tag);
  if (existing) throw new UserError('conflict', `Release ${input.tag} already has a runbook (deploying ${formatCalendarDay(existing.deploymentDay)}); /atmo release progress ${input.tag} shows it.`);

  // The same check as `release prepare`, so a plan is never made for a tag that cannot be cut.
  let tagNote = `${input.tag} follows the latest tag of every repository in RELEASE_REPOS.`;
  if (deps.releases && deps.config.RELEASE_REPOS.length > 0) await checkTagAgainstRepos(deps.releases, deps.config.RELEASE_REPOS, input.tag);
  else tagNote = `GitHub is not configured (GITHUB_TOKEN, RELEASE_REPOS), so ${input.tag} was checked for its form only.`;

  const now = deps.now();
  const items = buildChecklist({ tag: input.tag, deploymentDay: day, sites });
  const created = await createRunbook(
    deps.db,
    { tag: input.tag, deploymentDay: day, sites: [...sites], timeZone, chief, driver, createdBy: ctx.actor.username, createdAt: now },
    items.map((item, position) => ({
      ...item,
      position,
      dueOn: item.due,
      // Naming the crew is what `plan` itself does.
      ...(item.key === 'crew' ? { doneBy: ctx.actor.username, doneAt: now, doneVia: 'release plan' } : {}),
    })),
  );
  if (!created) throw new UserError('conflict', `Release ${input.tag} got a runbook from someone else a moment ago; /atmo release progress ${input.tag} shows it.`);
  ctx.audit({ runbook: created.runbook.id, tag: input.tag, deploymentDay: day, sites });

  const message = renderRunbook(created.runbook, created.items, now, deps.config.RELEASE_SITE);
  const posted = await deps.chat.post(channel, message);
  await setRunbookMessage(deps.db, created.runbook.id, { platform: posted.platform, channel: posted.channel, messageId: posted.id });
  return {
    text: [
      `Release ${input.tag} is planned for ${formatCalendarDay(day)}: the runbook with ${items.length} steps is in ${formatChannelRef(channel)}.`,
      tagNote,
      `Crew chief ${chief}, driver ${driver}. Done buttons on the message tick steps; /atmo release progress ${input.tag} shows progress.`,
    ].join('\n'),
    tone: 'success',
  };
}
