import { z } from 'zod';
import { defineCommand, type AnyCommandDefinition, type HandlerContext } from '../bot/chat/command.js';
import type { Reply, Section } from '../bot/chat/reply.js';
import { permits } from '../bot/chat/permits.js';

/** The areas help groups commands by, keyed by a command name's first word. */
const AREAS: readonly { title: string; words: readonly string[] }[] = [
  { title: 'You and your account', words: ['help', 'home', 'whoami', 'link', 'unlink', 'links', 'users'] },
  { title: 'Resource requests', words: ['requests', 'request', 'approve', 'confirm', 'deny', 'close'] },
  { title: 'Imaging requests', words: ['imaging'] },
  { title: 'Images', words: ['image', 'images'] },
  { title: 'Instances', words: ['instance', 'instances', 'reconcile'] },
  { title: 'Maintenance', words: ['maintenance'] },
  { title: 'status.io', words: ['statusio'] },
  { title: 'Releases', words: ['release'] },
  { title: 'The record', words: ['audit', 'stats'] },
];
const OTHER = 'Other';

export const areaOf = (command: Pick<AnyCommandDefinition, 'name'>): string => {
  const word = command.name.split(' ')[0]!;
  return AREAS.find((area) => area.words.includes(word))?.title ?? OTHER;
};

/** The words `/atmo help <area>` takes: every command's first word, and the area titles' first words. */
function areaForWord(word: string, commands: readonly AnyCommandDefinition[]): string | null {
  const wanted = word.toLowerCase();
  const byCommand = commands.find((command) => command.name.split(' ')[0] === wanted);
  if (byCommand) return areaOf(byCommand);
  const byTitle = AREAS.find((area) => area.title.toLowerCase().split(/[\s.]/)[0] === wanted || area.title.toLowerCase() === wanted);
  return byTitle?.title ?? null;
}

/** status.io commands only where status.io is configured: elsewhere every one of them refuses. */
function available(command: AnyCommandDefinition, ctx: HandlerContext): boolean {
  if (!permits(command.permission, ctx)) return false;
  return !(command.name.startsWith('statusio') && !ctx.deps.statusPage);
}

const line = (command: AnyCommandDefinition) => `${command.usage}\n    ${command.summary}`;

/**
 * The help reply: who you act as, then one section per area with the commands you may run there, so
 * no section nears a platform's limit (Slack's 3,000 characters per block). With `area`, only that
 * area; `note` says why it was shown (a group word typed alone, or with a subcommand that is not one).
 */
export function renderHelp(ctx: HandlerContext, commands: readonly AnyCommandDefinition[], area?: string, note?: string): Reply {
  const mine = commands.filter((command) => available(command, ctx));
  const who = ctx.actor
    ? `You act as the Atmosphere user ${ctx.actor.username}${ctx.actor.isStaff ? ' (staff)' : ''}.`
    : 'You are not linked to an Atmosphere account yet; /atmo whoami says how to get linked.';
  const titles = [...AREAS.map((one) => one.title), OTHER].filter((title) => !area || title === area);
  const sections: Section[] = titles
    .map((title) => ({ title, rows: mine.filter((command) => areaOf(command) === title) }))
    .filter(({ rows }) => rows.length > 0)
    .map(({ title, rows }) => ({ text: `*${title}*\n${rows.map(line).join('\n')}` }));
  if (area && sections.length === 0) {
    return { text: `${note ? `${note} ` : ''}You may run none of the ${area} commands. /atmo help lists the ones you can.`, visibility: 'ephemeral' };
  }
  const intro = area ? `${note ? `${note} ` : ''}${area}: the commands you can run.` : `${who} The commands you can run, by area (/atmo help <area> shows one, e.g. /atmo help maintenance):`;
  return { title: area ? `atmo-bot: ${area}` : 'atmo-bot commands', text: intro, sections, visibility: 'ephemeral' };
}

/** `/atmo help [area]`: only what the caller may run, so nobody is shown buttons that will refuse them. */
export function createHelpCommand(listCommands: () => readonly AnyCommandDefinition[]) {
  return defineCommand({
    name: 'help',
    summary: 'Show the commands you can run, by area',
    usage: '/atmo help [area, e.g. maintenance]',
    options: [{ name: 'area', description: 'Only this area: requests, imaging, instances, maintenance, statusio, release…', type: 'string' }],
    args: z.object({ area: z.string().trim().max(64, 'an area is one word such as maintenance').optional() }),
    permission: 'anyone',
    async run(ctx, args) {
      const commands = listCommands();
      if (!args.area) return renderHelp(ctx, commands);
      const area = areaForWord(args.area, commands);
      if (!area) {
        const words = [...new Set(commands.map((command) => command.name.split(' ')[0]!))].sort();
        return { text: `There is no area "${args.area}". Ask for one of: ${words.join(', ')}; or /atmo help for all.`, visibility: 'ephemeral' };
      }
      return renderHelp(ctx, commands, area);
    },
  });
}
