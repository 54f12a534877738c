import { serveParent } from './serve-parent.js';
import { startBareSubject, startBotSubject } from './ack-subjects.js';

/**
 * One app under test in a process of its own: `subject-main.ts bot <slackApiUrl> [databaseUrl]` or
 * `subject-main.ts bare <slackApiUrl>`. Reports `{ url, database?, pendingRequestId? }` when it listens.
 */

export interface SubjectReady {
  url: string;
  database?: 'postgres' | 'pglite';
  pendingRequestId?: number;
}

const [kind, slackApiUrl, databaseUrl] = process.argv.slice(2);

await serveParent(async () => {
  if (!slackApiUrl) throw new Error('usage: subject-main.ts bot|bare <slackApiUrl> [databaseUrl]');
  if (kind === 'bot') {
    const bot = await startBotSubject(slackApiUrl, databaseUrl || undefined);
    const value: SubjectReady = { url: bot.url, database: bot.database, pendingRequestId: bot.pendingRequestId };
    return { value, stop: () => bot.stop() };
  }
  if (kind === 'bare') {
    const bare = await startBareSubject(slackApiUrl);
    return { value: { url: bare.url } satisfies SubjectReady, stop: () => bare.stop() };
  }
  throw new Error(`unknown subject "${String(kind)}" (bot or bare)`);
});
