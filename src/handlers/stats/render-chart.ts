import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';

/**
 * vega, vega-lite and resvg are loaded the first time a chart is drawn, not when the bot starts: they
 * are large, most processes never draw a chart, and vega's module set-up must not run before the chat
 * libraries' own (it broke discord.js's event emitter when loaded first at start-up).
 */
let renderers: Promise<{ vega: typeof import('vega'); vl: typeof import('vega-lite'); Resvg: typeof import('@resvg/resvg-js').Resvg }> | undefined;
function loadRenderers() {
  renderers ??= Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]).then(([vega, vl, resvg]) => ({ vega, vl, Resvg: resvg.Resvg }));
  return renderers;
}

// The fonts come from their npm package, never from the system, so a chart renders the same pixels on
// every machine (and in the reference-image test).
const FONT_DIR = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONT_FILES = [join(FONT_DIR, 'DejaVuSans.ttf'), join(FONT_DIR, 'DejaVuSans-Bold.ttf')];
const FONT = 'DejaVu Sans';

/** An opaque light background and mid-tone colours: the PNG reads the same in Slack's dark and light themes. */
const CONFIG = {
  background: '#ffffff',
  padding: 12,
  font: FONT,
  view: { stroke: '#d0d0d0' },
  axis: { labelColor: '#333333', titleColor: '#333333', gridColor: '#e4e4e4', domainColor: '#888888', tickColor: '#888888', labelFontSize: 11, titleFontSize: 12 },
  legend: { labelColor: '#333333', titleColor: '#333333', labelFontSize: 11, titleFontSize: 12 },
  title: { color: '#222222', fontSize: 14, anchor: 'start' as const },
  range: { category: ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#b279a2', '#9d755d'] },
};

/** A vega-lite spec (data inline) drawn to SVG without a browser; no network is touched. */
export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, vl } = await loadRenderers();
  const compiled = vl.compile({ ...spec, config: { ...CONFIG, ...spec.config } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The same chart as a PNG, `scale` times the SVG's size (2 keeps text sharp on high-density screens). */
export async function renderChartPng(spec: TopLevelSpec, scale = 2): Promise<{ png: Uint8Array; width: number; height: number }> {
  const rendered = await rasterize(await chartSvg(spec), scale);
  return { png: rendered.asPng(), width: rendered.width, height: rendered.height };
}

/** The chart's raw RGBA pixels, for comparing a rendering with a stored reference. */
export async function renderChartPixels(spec: TopLevelSpec, scale = 1): Promise<{ pixels: Uint8Array; width: number; height: number }> {
  const rendered = await rasterize(await chartSvg(spec), scale);
  return { pixels: new Uint8Array(rendered.pixels), width: rendered.width, height: rendered.height };
}

async function rasterize(svg: string, scale: number) {
  const { Resvg } = await loadRenderers();
  return new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT },
  }).render();
}
