import { latencyStats, ms } from './latency-stats.js';
import { median } from './median.js';
import type { InteractionSample } from './discord-load.js';
import type { DiscordMemoryRun } from './discord-memory.js';

/** The figures of one batch of interactions, one side, one repeat. */
export interface BatchFigures {
  count: number;
  firstP50: number;
  firstP99: number;
  answerP50: number;
  answerP99: number;
  /** First responses slower than Discord's 3 s (Discord shows the user a failure for those). */
  over3s: number;
  /** First responses that were a deferral (type 5) rather than the message (type 4). */
  deferred: number;
  /** Responses sent by REST (a message with files), Discord's POST then answered 202. */
  byRest: number;
  /** Interactions with no answer: an HTTP error, no response type, or a deferred answer that never came. */
  unanswered: number;
  /** Answers that showed what the command shows. */
  expected: number;
}

/** Discord's limit for the first response to an interaction. */
export const DISCORD_FIRST_RESPONSE_LIMIT_MS = 3_000;

export function batchFigures(samples: readonly InteractionSample[], check: (text: string) => boolean): BatchFigures {
  const first = latencyStats(samples.map((sample) => sample.firstMs));
  const answered = samples.filter((sample) => Number.isFinite(sample.answerMs));
  const answer = latencyStats(answered.map((sample) => sample.answerMs));
  return {
    count: samples.length,
    firstP50: first.p50,
    firstP99: first.p99,
    answerP50: answer.p50,
    answerP99: answer.p99,
    over3s: samples.filter((sample) => sample.firstMs > DISCORD_FIRST_RESPONSE_LIMIT_MS).length,
    deferred: samples.filter((sample) => sample.type === 5).length,
    byRest: samples.filter((sample) => sample.status === 202).length,
    unanswered: samples.length - answered.length,
    expected: answered.filter((sample) => check(sample.text)).length,
  };
}

const spread = (values: readonly number[], format: (n: number) => string) => `${format(Math.min(...values))}–${format(Math.max(...values))}`;
const sum = (batches: readonly BatchFigures[], pick: (b: BatchFigures) => number) => batches.reduce((total, batch) => total + pick(batch), 0);
const share = (part: number, whole: number) => `${part} of ${whole} (${((100 * part) / Math.max(1, whole)).toFixed(1)} %)`;

/**
 * One latency row per app: medians over repeats with the spread of p99, and for the bot the verdict
 * on the first-response target (p99 at most `ratio` times the anchor's of the same repeat).
 */
export function latencyRows(input: { command: string; concurrency: number; bare: BatchFigures[]; bot: BatchFigures[]; ratio: number }): string[] {
  const { bare, bot, ratio } = input;
  const missed = bot.filter((batch, r) => batch.firstP99 > ratio * bare[r]!.firstP99).length;
  const onMedian = median(bot.map((b) => b.firstP99)) / median(bare.map((b) => b.firstP99));
  const answerRatio = median(bot.map((b) => b.answerP99)) / median(bare.map((b) => b.answerP99));
  const row = (app: string, batches: BatchFigures[], verdict: string) => {
    const firstP99 = batches.map((b) => b.firstP99);
    const answerP99 = batches.map((b) => b.answerP99);
    return `| ${input.command} | ${input.concurrency} | ${app} | ${batches[0]?.count ?? 0} | ${ms(median(batches.map((b) => b.firstP50)))} | ${ms(median(firstP99))} (${spread(firstP99, ms)}) | ${ms(median(batches.map((b) => b.answerP50)))} | ${ms(median(answerP99))} (${spread(answerP99, ms)}) | ${share(sum(batches, (b) => b.over3s), sum(batches, (b) => b.count))} | ${verdict} |`;
  };
  return [
    row('bare Node, same Discord calls', bare, 'anchor'),
    row(
      'atmo-bot',
      bot,
      `first p99 ≤ ${ratio}x: ${onMedian <= ratio ? 'met' : '**missed**'} on the median (${onMedian.toFixed(2)}x); ${missed} of ${bot.length} repeats missed; answer p99 ${answerRatio.toFixed(2)}x the anchor's`,
    ),
  ];
}

/** What the bot's answers were, over every repeat of one command: proof the work was done. */
export function workLine(command: string, concurrency: number, bot: BatchFigures[]): string {
  const total = sum(bot, (b) => b.count);
  return `- ${command}, ${concurrency} in flight: ${share(sum(bot, (b) => b.expected), total)} answers showed what the command shows; ${share(sum(bot, (b) => b.deferred), total)} first responses were deferrals (type 5, the reply then edited into \`@original\`); ${share(sum(bot, (b) => b.byRest), total)} were sent by REST with files (the callback route, then 202 to Discord's POST); ${sum(bot, (b) => b.unanswered)} without an answer.`;
}

/**
 * Memory and start-up rows against each anchor, runs paired in order (run r of the bot against run r
 * of that anchor).
 */
export function memoryRows(results: readonly DiscordMemoryRun[], ratio: number): string[] {
  const bot = results.filter((r) => r.subject.kind === 'bot').sort((a, b) => a.run - b.run);
  const anchors = [...new Set(results.filter((r) => r.subject.kind === 'bare').map((r) => r.subject.anchor ?? 'bare'))];
  if (bot.length === 0) return [];
  const mib = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(0));
  const whole = (value: number) => value.toFixed(0);
  const metrics: { label: string; pick(r: DiscordMemoryRun): number; format(n: number): string; target: boolean }[] = [
    { label: 'start-up to /healthz 200 (ms)', pick: (r) => r.startupMs, format: whole, target: false },
    { label: 'RSS idle (MiB)', pick: (r) => r.idleMiB, format: mib, target: true },
    { label: 'RSS after the interactions (MiB)', pick: (r) => r.afterMiB, format: mib, target: true },
    { label: 'peak RSS, VmHWM (MiB)', pick: (r) => r.peakMiB, format: mib, target: false },
  ];
  return metrics.flatMap((metric) =>
    anchors.map((anchor) => {
      const bare = results.filter((r) => r.subject.kind === 'bare' && (r.subject.anchor ?? 'bare') === anchor).sort((a, b) => a.run - b.run);
      const bareValues = bare.map(metric.pick);
      const botValues = bot.map(metric.pick);
      const onMedian = median(botValues) / median(bareValues);
      const missed = botValues.filter((value, i) => value / bareValues[i]! > ratio).length;
      const verdict = metric.target ? `≤ ${ratio}x: ${onMedian <= ratio ? 'met' : '**missed**'} on the median; ${missed} of ${botValues.length} runs missed` : 'reported';
      return `| ${bot[0]!.subject.pair} | ${metric.label} | ${anchor} | ${metric.format(median(bareValues))} (${spread(bareValues, metric.format)}) | ${metric.format(median(botValues))} (${spread(botValues, metric.format)}) | ${onMedian.toFixed(2)} | ${verdict} |`;
    }),
  );
}
