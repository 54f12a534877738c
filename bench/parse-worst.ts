import { pathologicalCases, type PathologicalCase } from '../test/fixtures/pathological-inputs.js';
import { ms } from './support/latency-stats.js';

/**
 * The worst parse time of each parser of outside text on the 1 MB pathological inputs the
 * pathological-input test checks. Anchor: one `indexOf` scan of the same input in the same run,
 * alternating before and after the parse, as the floor of touching 1 MB on this machine under its
 * current load. The target is that no parser blocks the event loop for long enough to miss Slack's
 * 3 s acknowledgement, with a wide margin; that parsers do not backtrack is the test's job (a
 * backtracking one never finishes on these inputs).
 */

const RUNS = 7;
/** Well under Slack's and Discord's 3 s acknowledgement, shared with everything else the bot does. */
const TARGET_MS = 1000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function timeOnce(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

interface Row {
  parser: string;
  worstCase: string;
  worst: number[];
  anchor: number[];
}

export async function runParseWorst(): Promise<string> {
  const cases = pathologicalCases();
  const byParser = new Map<string, PathologicalCase[]>();
  for (const testCase of cases) byParser.set(testCase.parser, [...(byParser.get(testCase.parser) ?? []), testCase]);
  // One warm-up pass so the first run does not also measure compilation.
  for (const testCase of cases) testCase.parse(testCase.input);

  const rows: Row[] = [...byParser.keys()].map((parser) => ({ parser, worstCase: '', worst: [], anchor: [] }));
  for (let run = 0; run < RUNS; run += 1) {
    for (const row of rows) {
      let worst = -1;
      let worstName = '';
      let anchor = 0;
      for (const testCase of byParser.get(row.parser)!) {
        // Alternate which side goes first, so neither always runs on a freshly collected heap.
        const first = run % 2 === 0;
        const linear = () => testCase.input.indexOf('\u0000');
        let base = first ? timeOnce(linear) : 0;
        const took = timeOnce(() => testCase.parse(testCase.input));
        if (!first) base = timeOnce(linear);
        if (took > worst) {
          worst = took;
          worstName = testCase.name;
          anchor = base;
        }
      }
      row.worst.push(worst);
      row.anchor.push(anchor);
      if (run === RUNS - 1) row.worstCase = worstName;
    }
  }

  const lines = [
    '## Worst parse time on 1 MB of pathological input',
    '',
    `Each parser of outside text on every 1 MB input of test/fixtures/pathological-inputs.ts (${cases.length} inputs), ${RUNS} runs; per run the slowest input of each parser counts. Anchor: one \`indexOf\` scan of the same input, timed next to it in the same run (memchr speed: the floor of touching 1 MB, not a model of parsing, so the ratio is large for every parser). Target: under ${TARGET_MS} ms, well below the 3 s acknowledgement window. Before the rewrite, \`"(" + 3000 spaces + "x"\` alone (3 KB) took seconds in the old_status prefix regex, and 1 MB of it would not finish.`,
    '',
    '| parser | slowest input (last run) | worst ms, median | spread (min–max) | anchor ms, median | ratio | runs over target |',
    '| --- | --- | ---: | --- | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const worst = median(row.worst);
    const anchor = median(row.anchor);
    const missed = row.worst.filter((value) => value > TARGET_MS).length;
    lines.push(
      `| ${row.parser} | ${row.worstCase} | ${ms(worst)} | ${ms(Math.min(...row.worst))}–${ms(Math.max(...row.worst))} | ${ms(anchor)} | ${anchor > 0 ? Math.round(worst / anchor) : 'n/a'}x | ${missed} of ${RUNS} |`,
    );
  }
  return lines.join('\n');
}
