// The chart of `npm run bench:paper`: speed relative to NumPy and CPU utilisation per app and
// configuration, as a Vega-Lite spec rendered to SVG headless (no browser, no canvas).
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { NUMPY, type Row } from './paper-report.js';

type Panel = Extract<TopLevelSpec, { hconcat: unknown }>['hconcat'][number];

/** Grouped bars of one figure per app and config, with a rule at 1 (parity, or full use). */
function panel(field: 'vsNumpy' | 'utilisation', title: string, format: string, apps: string[]): Panel {
  const enc = {
    // The apps in the order measured (the paper's), not alphabetical.
    x: { field: 'app', type: 'nominal', title: null, sort: apps, axis: { labelAngle: 0 } },
    xOffset: { field: 'config', type: 'nominal', sort: null },
    y: { field, type: 'quantitative', title },
  } as const;
  return {
    width: 320,
    height: 220,
    layer: [
      { mark: 'bar', encoding: { ...enc, color: { field: 'config', type: 'nominal', sort: null, title: 'config' } } },
      { mark: { type: 'text', dy: -6, fontSize: 9 }, encoding: { ...enc, text: { field, type: 'quantitative', format } } },
      // One datum of its own, or the rule would be drawn once per row of the data.
      { data: { values: [{}] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#555' }, encoding: { y: { datum: 1 } } },
    ],
  };
}

export async function chartSvg(rs: Row[], subtitle: string): Promise<string> {
  // NumPy is the reference of the first panel (always 1) and has no utilisation: not drawn.
  const values = rs.filter((r) => r.config !== NUMPY).map((r) => ({ app: r.app, config: r.config, vsNumpy: r.vsNumpy, utilisation: r.utilisation }));
  const apps = [...new Set(rs.map((r) => r.app))];
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: "distnumpy on the DistNumPy paper's applications", subtitle },
    data: { values },
    hconcat: [
      panel('vsNumpy', 'speed relative to NumPy (x)', '.2f', apps),
      panel('utilisation', 'CPU utilisation (speedup / cores)', '.0%', apps),
    ],
    config: { background: 'white' },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
