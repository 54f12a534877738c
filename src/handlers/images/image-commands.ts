import { z } from 'zod';
import { defineCommand } from '../../bot/chat/command.js';
import { recordId } from '../record-id.js';
import { proposeMove } from './move-version.js';
import { proposePublish } from './publish-application.js';
import { buildReplicaReport } from './replica-report.js';
import { versionName } from './image-values.js';

export const moveVersionCommand = defineCommand({
  name: 'image move-version',
  summary: 'Make an imaged version a version of another application, with a free version name',
  usage: '/atmo image move-version <imaging request id | provider machine uuid> --to <application id> [--name <version name>]',
  options: [
    { name: 'id', description: 'Imaging request id, or a provider machine uuid (the Glance image id)', type: 'string', required: true },
    { name: 'to', description: 'Id of the application the version joins (Troposphere: application/images/<id>)', type: 'integer', required: true, flag: true },
    { name: 'name', description: 'Version name in that application (default: its own, or the next free one)', type: 'string', flag: true },
  ],
  args: z.object({
    id: z
      .string({ error: 'give the imaging request id or the provider machine uuid' })
      .trim()
      .min(1, 'give the imaging request id or the provider machine uuid')
      .max(256, 'a provider machine uuid is at most 256 characters')
      .regex(/^[\w.-]+$/, 'give an imaging request id (e.g. 42) or a provider machine uuid (e.g. f77cb286-d5fc-4a3e-b15b-98e5a9dd2a86)'),
    to: recordId('application'),
    name: versionName.optional(),
  }),
  permission: 'staff',
  run: (ctx, args) => proposeMove(ctx, { ref: args.id, applicationId: args.to, name: args.name }),
});

export const publishImageCommand = defineCommand({
  name: 'image publish',
  summary: 'Make a private application public: Glance on each provider, then the application',
  usage: '/atmo image publish <application id>',
  options: [{ name: 'id', description: 'Application id (Troposphere: application/images/<id>)', type: 'integer', required: true }],
  args: z.object({ id: recordId('application') }),
  permission: 'staff',
  run: (ctx, args) => proposePublish(ctx, args.id),
});

const providerName = z.string().trim().min(1, 'name a provider by id or name').max(256, 'a provider name is at most 256 characters');

export const replicasCommand = defineCommand({
  name: 'images replicas',
  summary: 'Versions on the master provider missing or broken on a replica, with the sync command',
  usage: '/atmo images replicas [--master <provider>] [--replicas <provider,...>]',
  options: [
    { name: 'master', description: 'Master provider id or name (default IMAGE_MASTER_PROVIDER)', type: 'string', flag: true },
    { name: 'replicas', description: 'Replica provider ids or names, comma-separated (default IMAGE_REPLICA_PROVIDERS)', type: 'string', flag: true },
  ],
  args: z.object({
    master: providerName.optional(),
    replicas: z
      .string()
      .max(1024, 'the replica list is longer than 1024 characters')
      .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
      .optional(),
  }),
  permission: 'staff',
  run: async (ctx, args) => ({ ...(await buildReplicaReport(ctx.deps, { master: args.master, replicas: args.replicas })).reply, visibility: 'ephemeral' }),
});
