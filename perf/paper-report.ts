// The figures of `npm run bench:paper` derived from the samples, as the DistNumPy paper reports
// them (speedup over one core, CPU utilisation = speedup / cores), plus speed relative to NumPy.

export interface Measurement {
  app: string;
  /** How the app was sized, for people: "1000 bodies x 10 steps". */
  label: string;
  config: string;
  /** Cores used: threads x ranks; null for NumPy (it is not ours to split). */
  cores: number | null;
  warmup_ms: number[];
  times_ms: number[];
  median_ms: number;
  result: number;
  iterations?: number;
}

export interface Row {
  app: string;
  label: string;
  config: string;
  cores: number | null;
  medianMs: number;
  /** Over our 1-thread run; null for NumPy. */
  speedup: number | null;
  utilisation: number | null;
  /** numpy_ms / ours_ms: above 1 means faster than NumPy. */
  vsNumpy: number;
  result: number;
}

export const NUMPY = 'NumPy';
export const ONE_THREAD = '1 thread';

export function rows(ms: Measurement[]): Row[] {
  return ms.map((m) => {
    const of = (config: string) => ms.find((x) => x.app === m.app && x.config === config)?.median_ms ?? NaN;
    const speedup = m.cores === null ? null : of(ONE_THREAD) / m.median_ms;
    return {
      app: m.app,
      label: m.label,
      config: m.config,
      cores: m.cores,
      medianMs: m.median_ms,
      speedup,
      utilisation: speedup === null || m.cores === null ? null : speedup / m.cores,
      vsNumpy: of(NUMPY) / m.median_ms,
      result: m.result,
    };
  });
}

const times = (x: number | null) => (x === null ? '' : `${x.toFixed(2)}x`);

export function markdownTable(rs: Row[]): string {
  const head = '| app | config | cores | median ms | speedup over 1 thread | CPU utilisation | speed vs NumPy | result |';
  const lines = rs.map((r, i) => {
    // The app's name only on its first row, so that each app reads as one group.
    const app = i > 0 && rs[i - 1].app === r.app ? '' : `${r.app} (${r.label})`;
    const util = r.utilisation === null ? '' : `${(100 * r.utilisation).toFixed(0)}%`;
    const cells = [app, r.config, r.cores ?? '', r.medianMs.toFixed(1), times(r.speedup), util, times(r.vsNumpy), r.result.toPrecision(7)];
    return `| ${cells.join(' | ')} |`;
  });
  return [head, '|---|---|---|---|---|---|---|---|', ...lines].join('\n');
}
