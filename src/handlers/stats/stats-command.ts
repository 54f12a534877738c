import { z } from 'zod';
import { defineCommand } from '../../bot/chat/command.js';
import { buildStatsReport, DEFAULT_STATS_WEEKS } from './build-stats-report.js';

/** A year is the most one report covers: past that the weekly chart stops being readable. */
export const MAX_STATS_WEEKS = 52;

export const statsCommand = defineCommand({
  name: 'stats',
  summary: 'How the service is doing: request waits, imaging outcomes, instance errors, maintenance, with charts',
  usage: '/atmo stats [--weeks N] [--provider <provider>]',
  options: [
    { name: 'weeks', description: `How many weeks back (default ${DEFAULT_STATS_WEEKS}, at most ${MAX_STATS_WEEKS})`, type: 'integer', flag: true },
    { name: 'provider', description: 'Provider id or name: imaging and instance figures for it only', type: 'string', flag: true },
  ],
  args: z.object({
    weeks: z.coerce
      .number({ error: 'weeks must be a number, e.g. --weeks 8' })
      .int('weeks must be a whole number, e.g. --weeks 8')
      .min(1, 'weeks must be at least 1')
      .max(MAX_STATS_WEEKS, `weeks can be at most ${MAX_STATS_WEEKS}`)
      .default(DEFAULT_STATS_WEEKS),
    provider: z.string().trim().min(1, 'name a provider by id or name').max(256, 'a provider name is at most 256 characters').optional(),
  }),
  permission: 'staff',
  run: async (ctx, args) => ({ ...(await buildStatsReport(ctx.deps, { weeks: args.weeks, provider: args.provider }, ctx.deps.now())), visibility: 'ephemeral' }),
});
