import { z } from 'zod';
import { defineCommand, type AnyCommandDefinition } from '../bot/chat/command.js';
import { permits } from '../bot/chat/permits.js';

/** `/atmo help`: only what the caller may run, so nobody is shown buttons that will refuse them. */
export function createHelpCommand(listCommands: () => readonly AnyCommandDefinition[]) {
  return defineCommand({
    name: 'help',
    summary: 'Show the commands you can run',
    usage: '/atmo help',
    options: [],
    args: z.object({}),
    permission: 'anyone',
    async run(ctx) {
      const mine = listCommands().filter((command) => permits(command.permission, ctx));
      const who = ctx.actor
        ? `You act as the Atmosphere user ${ctx.actor.username}${ctx.actor.isStaff ? ' (staff)' : ''}.`
        : 'You are not linked to an Atmosphere account yet; /atmo whoami says how to get linked.';
      return {
        title: 'atmo-bot commands',
        text: `${who}\n${mine.map((command) => `${command.usage}\n    ${command.summary}`).join('\n')}`,
      };
    },
  });
}
