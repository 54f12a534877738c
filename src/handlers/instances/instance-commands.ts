import { z } from 'zod';
import { defineCommand } from '../../bot/chat/command.js';
import { buildInstanceLookup, buildStuckList, buildUserList } from './build-instance-messages.js';

const term = z
  .string({ error: 'name the instance: its id, uuid, IP address or name' })
  .trim()
  .min(1, 'name the instance: its id, uuid, IP address or name')
  .max(256, 'an instance name is at most 256 characters');

/**
 * `/atmo instance <id | uuid | ip | name>` and `/atmo instance report <id>`. One command, because
 * Discord cannot register `instance` both as a command with an option and as a group holding
 * `instance report`: in text, a leading word `report` asks for the report (an instance named
 * "report" is looked up by its id or uuid); on Discord it is the `report` option.
 */
export const instanceCommand = defineCommand({
  name: 'instance',
  summary: 'One instance: owner, image, timeline, triage and the next step; `report` for the team',
  usage: '/atmo instance [--report] <instance id, uuid, ip or name>  (or: /atmo instance report <…>)',
  options: [
    { name: 'instance', description: 'Instance id, uuid (provider alias), IP address or name', type: 'string', required: true, rest: true },
    { name: 'report', description: 'The "Contacting the Atmosphere Team" text instead of the view', type: 'boolean', flag: true },
  ],
  args: z.object({ instance: term, report: z.boolean().optional() }),
  permission: 'staff',
  run(ctx, args) {
    // In text, `report` is the leading word; on Discord, the boolean option.
    const words = /^report\s+(.+)$/i.exec(args.instance);
    return words ? buildInstanceLookup(ctx, words[1]!.trim(), true) : buildInstanceLookup(ctx, args.instance, args.report ?? false);
  },
});

export const stuckInstancesCommand = defineCommand({
  name: 'instances stuck',
  summary: 'Every instance in error or stuck (networking, deploying, deploy_error), oldest first',
  usage: '/atmo instances stuck [provider id or name]',
  options: [{ name: 'provider', description: 'Only this provider (id or name)', type: 'string', rest: true }],
  args: z.object({ provider: z.string().trim().max(256, 'a provider name is at most 256 characters').optional() }),
  permission: 'staff',
  run: (ctx, args) => buildStuckList(ctx, args.provider || undefined),
});

export const userInstancesCommand = defineCommand({
  name: 'instances user',
  summary: "A user's current instances with their status and triage",
  usage: '/atmo instances user <username>',
  options: [{ name: 'username', description: 'Atmosphere username', type: 'string', required: true }],
  args: z.object({ username: z.string({ error: 'name the user, e.g. jsmith' }).trim().min(1, 'name the user, e.g. jsmith').max(256) }),
  permission: 'staff',
  run: (ctx, args) => buildUserList(ctx, args.username),
});
