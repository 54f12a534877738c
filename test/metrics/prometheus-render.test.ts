import { describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../../src/metrics/prometheus-metrics.js';
import { createMemoryLogger } from '../../src/logger.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

describe('the /metrics text', () => {
  it('spells a NaN sample as the text format does, so a strict parser reads the first scrape', async () => {
    const metrics = createPrometheusMetrics({ log: createMemoryLogger('warn').log });
    // Before the event-loop monitor has a reading, its mean and spread are NaN (prom-client's default metrics).
    const text = await metrics.render();
    expect(text).not.toMatch(/ Nan$/m);
    const families = parsePrometheusText(text);
    expect(sampleValue(families, 'nodejs_eventloop_lag_mean_seconds', {})).toBeNaN();
  });
});
