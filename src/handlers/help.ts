import { z } from 'zod';
import { defineCommand, type CommandDefinition, type HandlerContext, type Permission } from '../bot/chat/command.js';

function allowed(ctx: HandlerContext, permission: Permission): boolean {
  switch (permission) {
    case 'anyone':
      return true;
    case 'linked':
      return ctx.actor !== null;
    case 'staff':
      return ctx.actor?.isStaff === true;
    case 'admin':
      return ctx.isBotAdmin;
  }
}

/** `/atmo help`: only what the caller may run, so nobody is shown buttons that will refuse them. */
export function createHelpCommand(listCommands: () => readonly CommandDefinition[]) {
  return defineCommand({
    name: 'help',
    summary: 'Show the commands you can run',
    usage: '/atmo help',
    options: [],
    args: z.object({}),
    permission: 'anyone',
    async run(ctx) {
      const mine = listCommands().filter((command) => allowed(ctx, command.permission));
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
