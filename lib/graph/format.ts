// NumPy-like text for arrays: aligned columns, 8 significant decimals at most, nested brackets,
// long arrays summarised with '...' as numpy's default print options do.
import type { DType, TypedArray } from '../kernels/dtypes.js';
import { shapeSize } from '../kernels/shape.js';

const THRESHOLD = 1000;
const EDGE = 3;
const PRECISION = 8;

function floatFormatter(values: number[]): (v: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  const abs = finite.map(Math.abs).filter((v) => v !== 0);
  const max = abs.length ? Math.max(...abs) : 0;
  const min = abs.length ? Math.min(...abs) : 0;
  const sci = max >= 1e16 || (min > 0 && min < 1e-4) || (min > 0 && max / min > 1e3);
  if (sci) {
    const mant = (v: number): [string, string] => {
      const [m, e] = shortest(v, true).split('e');
      const exp = Number(e);
      return [m.includes('.') ? m : m + '.', (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0')];
    };
    const parts = finite.map(mant);
    const fr = Math.max(0, ...parts.map(([m]) => m.split('.')[1].length));
    return (v) => {
      if (!Number.isFinite(v)) return special(v);
      const [m, e] = mant(v);
      const [ip, fp] = m.split('.');
      return `${ip}.${fp.padEnd(fr, '0')}e${e}`;
    };
  }
  const strs = finite.map((v) => shortest(v, false));
  const frac = Math.max(0, ...strs.map((s) => (s.split('.')[1] ?? '').length));
  const allInt = frac === 0;
  return (v) => {
    if (!Number.isFinite(v)) return special(v);
    const s = shortest(v, false);
    const [ip, fp = ''] = s.split('.');
    return allInt ? `${ip}.` : `${ip}.${fp.padEnd(frac, ' ')}`;
  };
}

function special(v: number): string {
  return v !== v ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/** Shortest repr that round-trips, capped at PRECISION fractional digits (numpy 'maxprec'). */
function shortest(v: number, sci: boolean): string {
  if (sci) {
    let s = v.toExponential();
    const [m, e] = s.split('e');
    if ((m.split('.')[1] ?? '').length > PRECISION) s = v.toExponential(PRECISION).replace(/\.?0+e/, 'e');
    else s = `${m}e${e}`;
    return s;
  }
  let s = Math.abs(v) < 1e21 ? String(v) : v.toFixed(0);
  if (s.includes('e')) s = v.toFixed(PRECISION);
  if ((s.split('.')[1] ?? '').length > PRECISION) s = v.toFixed(PRECISION).replace(/0+$/, '').replace(/\.$/, '.');
  if (s === '-0' || Object.is(v, -0)) s = '-0';
  return s.replace(/\.$/, '');
}

export function formatArray(data: TypedArray, shape: readonly number[], dtype: DType): string {
  const n = shapeSize(shape);
  const summarise = n > THRESHOLD;
  const values: number[] = [];
  const nd = shape.length;
  // Collect the values that will be shown, to size the columns as numpy does.
  const strides = shape.map((_, i) => shapeSize(shape.slice(i + 1)));
  const visit = (d: number, off: number): void => {
    if (d === nd) {
      values.push(data[off]);
      return;
    }
    for (const i of shownIndices(shape[d], summarise)) visit(d + 1, off + i * strides[d]);
  };
  visit(0, 0);
  let fmt: (v: number) => string;
  if (dtype === 'bool') fmt = (v) => (v ? 'True' : 'False');
  else if (dtype === 'float32' || dtype === 'float64') fmt = floatFormatter(values);
  else fmt = (v) => String(v);
  if (nd === 0) return dtype === 'float32' || dtype === 'float64' ? pyRepr(data[0], dtype === 'float32') : fmt(data[0]);
  if (n === 0) return '[]';
  const width = Math.max(...values.map((v) => fmt(v).length), 0);
  const cell = (v: number): string => fmt(v).padStart(width);
  const render = (d: number, off: number, indent: string): string => {
    const idx = shownIndices(shape[d], summarise);
    if (d === nd - 1) {
      const items: string[] = [];
      let prev = -1;
      for (const i of idx) {
        if (prev >= 0 && i !== prev + 1) items.push('...');
        items.push(cell(data[off + i * strides[d]]));
        prev = i;
      }
      return `[${wrapLine(items, indent + ' ')}]`;
    }
    const rows: string[] = [];
    let prev = -1;
    for (const i of idx) {
      if (prev >= 0 && i !== prev + 1) rows.push('...');
      rows.push(render(d + 1, off + i * strides[d], indent + ' '));
      prev = i;
    }
    const sep = '\n'.repeat(nd - d - 1) + indent + ' ';
    return `[${rows.join(sep)}]`;
  };
  return render(0, 0, '');
}

function shownIndices(len: number, summarise: boolean): number[] {
  if (!summarise || len <= 2 * EDGE) return Array.from({ length: len }, (_, i) => i);
  return [0, 1, 2, len - 3, len - 2, len - 1];
}

/** numpy wraps rows at 75 characters. */
function wrapLine(items: string[], indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const it of items) {
    const add = line === '' ? it : `${line} ${it}`;
    if (add.length + indent.length > 74 && line !== '') {
      lines.push(line);
      line = it;
    } else line = add;
  }
  lines.push(line);
  return lines.join('\n' + indent);
}

/** Python's repr of a float, which is how NumPy prints a 0-d float array: 3.0, 1e-07, 1e+16. */
export function pyRepr(v: number, single = false): string {
  if (!Number.isFinite(v)) return special(v);
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [m, e] = (single ? shortestSingle(v) : v.toExponential()).split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const digits = m.replace('-', '').replace('.', '');
  const sign = v < 0 ? '-' : '';
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const ip = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fp = digits.slice(exp + 1);
  return `${sign}${ip}.${fp || '0'}`;
}

/** The shortest decimal (exponential form) that reads back as the same float32. */
function shortestSingle(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = v.toExponential(p - 1);
    if (Math.fround(Number(s)) === v) return s.replace(/\.?0+e/, 'e');
  }
  return v.toExponential();
}
