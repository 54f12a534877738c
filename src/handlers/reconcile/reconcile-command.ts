import { z } from 'zod';
import { defineCommand } from '../../bot/chat/command.js';
import { buildReconcileReport } from './reconcile-report.js';

export const reconcileCommand = defineCommand({
  name: 'reconcile',
  summary: 'Compare Atmosphere with OpenStack: orphaned and stale servers, status mismatches, quota drift (read-only)',
  usage: '/atmo reconcile [provider]',
  options: [{ name: 'provider', description: 'Provider id or name (default: every provider OPENSTACK_CLOUDS configures)', type: 'string', rest: true }],
  args: z.object({
    provider: z.string().trim().min(1, 'name a provider by id or name').max(256, 'a provider name is at most 256 characters').optional(),
  }),
  permission: 'staff',
  run: async (ctx, args) => ({ ...(await buildReconcileReport(ctx.deps, args.provider)).reply, visibility: 'ephemeral' }),
});
