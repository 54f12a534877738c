import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chartSvg, renderChartPixels, renderChartPng } from '../../../src/handlers/stats/render-chart.js';
import { imagingChart, instanceChart, maintenanceChart, resourceRequestChart } from '../../../src/handlers/stats/stats-charts.js';
import { readPngHeader } from '../../support/png-header.js';
import { FIXED_IMAGING, FIXED_INSTANCES, FIXED_MAINTENANCE, FIXED_REQUESTS } from './fixed-figures.js';

/** A channel counts as different past this; anti-aliasing differences between builds stay under it. */
const CHANNEL_TOLERANCE = 24;
/** At most this share of pixels may differ (0.5 %): a moved bar, a lost label or a new colour is far more. */
const PIXEL_SHARE = 0.005;

function reference(): { width: number; height: number; pixels: Uint8Array } {
  const raw = gunzipSync(readFileSync(new URL('../../fixtures/charts/resource-requests.rgba.gz', import.meta.url)));
  return { width: raw.readUInt32BE(0), height: raw.readUInt32BE(4), pixels: new Uint8Array(raw.subarray(8)) };
}

function differingShare(a: Uint8Array, b: Uint8Array): number {
  let differing = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (Math.abs(a[i]! - b[i]!) > CHANNEL_TOLERANCE || Math.abs(a[i + 1]! - b[i + 1]!) > CHANNEL_TOLERANCE || Math.abs(a[i + 2]! - b[i + 2]!) > CHANNEL_TOLERANCE) differing++;
  }
  return differing / (a.length / 4);
}

describe('the report charts', () => {
  it('draws the resource request chart as the stored reference image, within a small pixel tolerance', async () => {
    const stored = reference();
    const drawn = await renderChartPixels(resourceRequestChart(FIXED_REQUESTS));
    expect({ width: drawn.width, height: drawn.height }).toEqual({ width: stored.width, height: stored.height });
    expect(differingShare(drawn.pixels, stored.pixels)).toBeLessThanOrEqual(PIXEL_SHARE);
  });

  it('tells a changed chart from the reference', async () => {
    const stored = reference();
    const changed = await renderChartPixels(resourceRequestChart({ ...FIXED_REQUESTS, weeks: FIXED_REQUESTS.weeks.map((w) => ({ ...w, p90Hours: (w.p90Hours ?? 0) / 2 })) }));
    expect(changed.width).toBe(stored.width);
    expect(differingShare(changed.pixels, stored.pixels)).toBeGreaterThan(PIXEL_SHARE);
  });

  it('draws on an opaque white background, so it reads the same in dark and light themes', async () => {
    const { pixels } = await renderChartPixels(resourceRequestChart(FIXED_REQUESTS));
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 255) throw new Error(`pixel ${(i - 3) / 4} is not opaque`);
    expect([...pixels.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
  });

  it('names the axes with their units and uses only the packaged font', async () => {
    const svg = await chartSvg(resourceRequestChart(FIXED_REQUESTS));
    expect(svg).toContain('hours to decision');
    expect(svg).toContain('week starting (UTC)');
    expect(await chartSvg(maintenanceChart(FIXED_MAINTENANCE))).toContain('length (minutes)');
    expect(svg).toContain('DejaVu Sans');
  });

  it('renders every area as a PNG at twice its size, also with no data at all', async () => {
    const specs = [
      imagingChart(FIXED_IMAGING),
      instanceChart(FIXED_INSTANCES),
      maintenanceChart(FIXED_MAINTENANCE),
      maintenanceChart({ held: 0, stillOpen: 0, windows: [] }),
      instanceChart({ providers: [], byCategory: [], medianRecoverHours: null }),
    ];
    for (const spec of specs) {
      const svg = await chartSvg(spec);
      const width = Number(/<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
      const { png, width: pngWidth, height } = await renderChartPng(spec);
      expect(readPngHeader(png)).toMatchObject({ width: pngWidth, height, bitDepth: 8, colourType: 6 });
      expect(pngWidth).toBe(Math.round(width * 2));
    }
  });
});
