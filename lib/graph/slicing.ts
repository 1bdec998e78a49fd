// NumPy basic indexing: parse a spec ('1:-1, ::2', '..., 0', ':, None' or an array of
// number | [start, stop, step?] | null) and apply it to a view's metadata.
import type { Layout } from '../kernels/view.js';
import { describe, rangeError, show, typeError } from './errors.js';

export type SliceItem = number | readonly [number | null, number | null, (number | null)?] | null | '...' | 'newaxis';
export type SliceSpec = string | readonly SliceItem[] | number;

type Parsed =
  | { t: 'int'; i: number }
  | { t: 'slice'; start: number | null; stop: number | null; step: number | null }
  | { t: 'newaxis' }
  | { t: 'ellipsis' };

const INT_RE = /^[+-]?\d+$/;

function parseInt10(s: string, spec: string): number | null {
  const x = s.trim();
  if (x === '') return null;
  if (!INT_RE.test(x)) throw typeError(`invalid index '${x}' in slice spec '${spec}'`, 'ERR_SLICE_SYNTAX');
  return Number(x);
}

function parseString(spec: string): Parsed[] {
  if (spec.trim() === '') return [];
  return spec.split(',').map((raw) => {
    const s = raw.trim();
    if (s === '...') return { t: 'ellipsis' };
    if (s === 'None' || s === 'newaxis') return { t: 'newaxis' };
    if (s.includes(':')) {
      const parts = s.split(':');
      if (parts.length > 3) throw typeError(`invalid slice '${s}' in slice spec '${spec}'`, 'ERR_SLICE_SYNTAX');
      return {
        t: 'slice',
        start: parseInt10(parts[0], spec),
        stop: parseInt10(parts[1], spec),
        step: parts.length === 3 ? parseInt10(parts[2], spec) : null,
      };
    }
    if (s === '') throw typeError(`empty index in slice spec '${spec}'`, 'ERR_SLICE_SYNTAX');
    return { t: 'int', i: parseInt10(s, spec)! };
  });
}

function checkInt(v: unknown, what: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw typeError(`slice ${what} must be an integer or null, got ${describe(v)}`, 'ERR_SLICE_SYNTAX');
  }
  return v;
}

export function parseSpec(spec: SliceSpec): Parsed[] {
  if (typeof spec === 'string') return parseString(spec);
  if (typeof spec === 'number') return [{ t: 'int', i: checkInt(spec, 'index')! }];
  if (!Array.isArray(spec)) {
    throw typeError(`slice spec must be a string, an integer or an array of items, got ${describe(spec)}`, 'ERR_SLICE_SYNTAX');
  }
  return spec.map((it: unknown): Parsed => {
    if (it === null) return { t: 'slice', start: null, stop: null, step: null };
    if (it === '...') return { t: 'ellipsis' };
    if (it === 'newaxis') return { t: 'newaxis' };
    if (typeof it === 'number') return { t: 'int', i: checkInt(it, 'index')! };
    if (Array.isArray(it) && it.length >= 1 && it.length <= 3) {
      return { t: 'slice', start: checkInt(it[0], 'start'), stop: checkInt(it[1], 'stop'), step: checkInt(it[2], 'step') };
    }
    throw typeError(`invalid slice item: ${describe(it)} in ${show(spec)}; use a number, [start, stop, step?], null, '...' or 'newaxis'`, 'ERR_SLICE_SYNTAX');
  });
}

/** CPython's PySlice_AdjustIndices: the slice's first index, step and length on an axis of n. */
export function adjustSlice(n: number, start: number | null, stop: number | null, step: number | null): [number, number, number] {
  const st = step ?? 1;
  if (st === 0) throw rangeError('slice step cannot be zero', 'ERR_SLICE_STEP');
  let a: number;
  let b: number;
  if (st > 0) {
    a = start === null ? 0 : start < 0 ? Math.max(0, start + n) : Math.min(start, n);
    b = stop === null ? n : stop < 0 ? Math.max(0, stop + n) : Math.min(stop, n);
    return [a, st, b > a ? Math.ceil((b - a) / st) : 0];
  }
  a = start === null ? n - 1 : start < 0 ? Math.max(-1, start + n) : Math.min(start, n - 1);
  b = stop === null ? -1 : stop < 0 ? Math.max(-1, stop + n) : Math.min(stop, n - 1);
  return [a, st, a > b ? Math.ceil((a - b) / -st) : 0];
}

/** Apply a parsed spec to a layout: the view's shape, strides and offset. */
export function applySpec(layout: Layout, spec: SliceSpec): Layout {
  const items = parseSpec(spec);
  const ell = items.filter((i) => i.t === 'ellipsis').length;
  if (ell > 1) throw rangeError("an index can only have a single ellipsis ('...')", 'ERR_INDEX');
  const consumed = items.filter((i) => i.t === 'int' || i.t === 'slice').length;
  const nd = layout.shape.length;
  if (consumed > nd) {
    throw rangeError(`too many indices for array: array is ${nd}-dimensional, but ${consumed} were indexed`, 'ERR_INDEX');
  }
  const full: Parsed[] = [];
  for (const it of items) {
    if (it.t === 'ellipsis') for (let k = 0; k < nd - consumed; k++) full.push({ t: 'slice', start: null, stop: null, step: null });
    else full.push(it);
  }
  if (ell === 0) for (let k = consumed; k < nd; k++) full.push({ t: 'slice', start: null, stop: null, step: null });
  const shape: number[] = [];
  const strides: number[] = [];
  let offset = layout.offset;
  let axis = 0;
  for (const it of full) {
    if (it.t === 'newaxis') {
      shape.push(1);
      strides.push(0);
      continue;
    }
    const n = layout.shape[axis];
    const s = layout.strides[axis];
    if (it.t === 'int') {
      const i = it.i < 0 ? it.i + n : it.i;
      if (i < 0 || i >= n) throw rangeError(`index ${it.i} is out of bounds for axis ${axis} with size ${n}`, 'ERR_INDEX');
      offset += i * s;
    } else if (it.t === 'slice') {
      const [a, st, len] = adjustSlice(n, it.start, it.stop, it.step);
      if (len > 0) offset += a * s;
      shape.push(len);
      strides.push(s * st);
    }
    axis++;
  }
  return { shape, strides, offset };
}
