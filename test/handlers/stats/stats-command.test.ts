import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyAsText } from '../../../src/bot/chat/deliver-reply.js';
import { chartSvg } from '../../../src/handlers/stats/render-chart.js';
import { computeStatsFigures } from '../../../src/handlers/stats/build-stats-report.js';
import { imagingChart, instanceChart, maintenanceChart, resourceRequestChart } from '../../../src/handlers/stats/stats-charts.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { readPngHeader } from '../../support/png-header.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { insertStatsScenario } from './stats-scenario.js';

const NOW = new Date(TEST_NOW.getTime() + 365 * 24 * 3_600_000);
const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };

/** The width and height the SVG of a chart declares. */
async function svgSize(spec: Parameters<typeof chartSvg>[0]): Promise<{ width: number; height: number }> {
  const svg = await chartSvg(spec);
  const [, width, height] = /<svg[^>]*\swidth="([\d.]+)"\s+height="([\d.]+)"/.exec(svg)!;
  return { width: Number(width), height: Number(height) };
}

describe.each(dbKinds())('/atmo stats on %s', (kind) => {
  let t: TestContext;

  beforeAll(async () => {
    t = await createTestContext(kind);
    await insertStatsScenario(t.deps.db, NOW);
    t.setNow(NOW);
  }, 120_000);
  afterAll(async () => {
    await t?.database.drop();
  });

  it('answers with the figures and one PNG chart per area, each of the size its chart is drawn at', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent('stats --weeks 2', kpatel));
    const reply = replies[0]!;
    expect(reply.visibility).toBe('ephemeral');
    expect(reply.title).toMatch(/^Service report, last 2 week\(s\)/);
    const text = replyAsText(reply);
    expect(reply.text).toContain('attached PNG files');
    expect(text).toContain('3 approved, 1 denied, 2 still pending');
    expect(text).toContain('median 7 h, p90 45 h');
    expect(text).toContain('kpatel 2, mdelgado 1; 1 decided outside the bot');
    expect(text).toContain('Errors by category: cache 2, max-instances 1');
    expect(text).toContain('4 launched, 2 errored, 1 stuck');
    expect(text).toContain('"Storage upgrade" planned 60 min, took 90 min');

    const figures = await computeStatsFigures(t.deps, { weeks: 2 }, NOW);
    const specs = [resourceRequestChart(figures.resourceRequests), imagingChart(figures.imaging), instanceChart(figures.instances), maintenanceChart(figures.maintenance)];
    const files = reply.files ?? [];
    expect(files.map((f) => f.name)).toEqual(['resource-requests', 'imaging', 'instances', 'maintenance'].map((area) => `stats-${area}-${NOW.toISOString().slice(0, 10)}.png`));
    for (const [i, file] of files.entries()) {
      expect(file.mimeType).toBe('image/png');
      expect(file.altText).toBeTruthy();
      const size = await svgSize(specs[i]!);
      expect(readPngHeader(file.data)).toMatchObject({ width: Math.round(size.width * 2), height: Math.round(size.height * 2) });
    }
  });

  it('refuses a provider it does not know, naming the ones it does', async () => {
    const narrowed = (await dispatch(t.dispatcher, commandEvent('stats --weeks 2 --provider 999999', kpatel))).replies[0]!;
    expect(narrowed.text).toMatch(/There is no provider "999999"\. Known providers: \d+ \(/);
    expect(narrowed.files ?? []).toEqual([]);
  });

  it('explains a bad number of weeks instead of running', async () => {
    for (const [text, problem] of [['stats --weeks 0', 'weeks must be at least 1'], ['stats --weeks 53', 'weeks can be at most 52'], ['stats --weeks two', 'weeks must be a number']] as const) {
      const reply = (await dispatch(t.dispatcher, commandEvent(text, kpatel))).replies[0]!;
      expect(reply.text.toLowerCase()).toContain(problem);
      expect(reply.text).toContain('Usage: /atmo stats [--weeks N] [--provider <provider>]');
      expect(reply.files ?? []).toEqual([]);
    }
  });

  it('is for staff only', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent('stats', { id: 'c-jsmith', actingAs: 'jsmith' }));
    expect(replies[0]!.text).toMatch(/staff/i);
    expect(replies[0]!.files ?? []).toEqual([]);
  });
});
