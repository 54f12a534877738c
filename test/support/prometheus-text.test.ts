import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

const GOOD = `# HELP jobs_total Runs by job
# TYPE jobs_total counter
jobs_total{job="scan",outcome="ok"} 3
jobs_total{job="a \\"quoted\\" \\\\ name\\n",outcome="ok"} 1
# TYPE wait_seconds histogram
wait_seconds_bucket{le="0.5"} 1
wait_seconds_bucket{le="1"} 2
wait_seconds_bucket{le="+Inf"} 2
wait_seconds_sum 1.25
wait_seconds_count 2
depth 4 1700000000000
`;

describe('the strict Prometheus text parser the metrics test reads /metrics with', () => {
  it('reads families, types, escaped label values and histogram series', () => {
    const families = parsePrometheusText(GOOD);
    expect(families.get('jobs_total')).toMatchObject({ type: 'counter', help: 'Runs by job' });
    expect(sampleValue(families, 'jobs_total', { job: 'scan', outcome: 'ok' })).toBe(3);
    expect(sampleValue(families, 'jobs_total', { job: 'a "quoted" \\ name\n' })).toBe(1);
    expect(sampleValue(families, 'wait_seconds_bucket', { le: '+Inf' })).toBe(2);
    expect(families.get('depth')?.type).toBe('untyped');
  });

  it.each([
    ['a duplicate sample', 'x 1\nx 2\n'],
    ['a TYPE after the samples', 'x 1\n# TYPE x counter\n'],
    ['a family split in two', 'x 1\ny 1\nx{a="b"} 1\n'],
    ['a bad label name', 'x{1a="b"} 1\n'],
    ['a repeated label', 'x{a="b",a="c"} 1\n'],
    ['a bad escape', 'x{a="\\t"} 1\n'],
    ['a value that is not a number', 'x one\n'],
    ['no final line feed', 'x 1'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['buckets that are not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['a +Inf bucket that differs from _count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
