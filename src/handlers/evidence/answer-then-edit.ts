import type { HandlerContext } from '../../bot/chat/command.js';
import type { Reply } from '../../bot/chat/reply.js';
import { formatTimestamp } from '../format-time.js';

/**
 * A view whose evidence was late: `first` goes out now, and the whole view replaces it once `whole`
 * has it, where the platform can edit that answer (a slash command on Slack, commands and clicks on
 * Discord, the console). Where it cannot (a click's ephemeral answer on Slack), or the edit fails, the whole view is returned to go out as
 * a second message, titled so that it reads as the completed one.
 */
export async function answerThenEdit(ctx: HandlerContext, first: Reply, whole: Promise<Reply>): Promise<Reply | void> {
  await ctx.respond({ ...first, provisional: true });
  const complete = await whole;
  const stamp = `Completed ${formatTimestamp(ctx.deps.now())} with the late evidence.`;
  try {
    if (await ctx.editAnswer({ ...complete, footer: complete.footer ? `${complete.footer} ${stamp}` : stamp })) return;
  } catch (error) {
    ctx.log.warn({ err: error }, 'could not edit the first answer with the late evidence; sending it as a new message');
  }
  return { ...complete, title: `${complete.title ?? complete.text.split('\n')[0]} (with the late evidence)` };
}
