// NumPy's .npy format (version 1.0/2.0/3.0): header parsing and writing, pure functions.
import { type DType, NPY_DESCR } from '../kernels/dtypes.js';

export interface NpyHeader {
  descr: string;
  fortran: boolean;
  shape: number[];
  /** Byte offset of the data. */
  dataOffset: number;
}

export class NpyFormatError extends Error {
  readonly code = 'ERR_NPY';
  constructor(message: string) {
    super(message);
    this.name = 'NpyFormatError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The .npy descr strings we read, and the dtype each becomes (wider integers are range-checked). */
export const READABLE: Record<string, { dtype: DType; bytes: number; read: (dv: DataView, off: number) => number }> = {
  '<f8': { dtype: 'float64', bytes: 8, read: (d, o) => d.getFloat64(o, true) },
  '<f4': { dtype: 'float32', bytes: 4, read: (d, o) => d.getFloat32(o, true) },
  '<i4': { dtype: 'int32', bytes: 4, read: (d, o) => d.getInt32(o, true) },
  '|u1': { dtype: 'uint8', bytes: 1, read: (d, o) => d.getUint8(o) },
  '|b1': { dtype: 'bool', bytes: 1, read: (d, o) => (d.getUint8(o) ? 1 : 0) },
  '<i8': { dtype: 'int32', bytes: 8, read: (d, o) => Number(d.getBigInt64(o, true)) },
  '<i2': { dtype: 'int32', bytes: 2, read: (d, o) => d.getInt16(o, true) },
  '<u2': { dtype: 'int32', bytes: 2, read: (d, o) => d.getUint16(o, true) },
  '|i1': { dtype: 'int32', bytes: 1, read: (d, o) => d.getInt8(o) },
};

export function parseHeader(buf: Uint8Array, fileSize: number): NpyHeader {
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b)) {
    throw new NpyFormatError('not a .npy file: the magic string \\x93NUMPY is missing');
  }
  const major = buf[6];
  if (major < 1 || major > 3) throw new NpyFormatError(`unsupported .npy format version ${major}.${buf[7]}`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const hlenBytes = major === 1 ? 2 : 4;
  const start = 8 + hlenBytes;
  if (buf.length < start) throw new NpyFormatError('truncated .npy header');
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (start + hlen > buf.length) throw new NpyFormatError(`truncated .npy header: expected ${hlen} header bytes`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(buf.subarray(start, start + hlen));
  const { descr: d, fortran, shape: dims } = parseDict(text.trim());
  const info = READABLE[d === '<b1' ? '|b1' : d === '<u1' ? '|u1' : d === '<i1' ? '|i1' : d];
  if (!info) {
    if (d.startsWith('>')) throw new NpyFormatError(`big-endian .npy data ('${d}') is not supported: save it little-endian`);
    if (d === '|O') throw new NpyFormatError("object arrays ('|O') cannot be loaded: they need pickle");
    throw new NpyFormatError(`unsupported dtype '${d}' in .npy file (supported: ${Object.keys(READABLE).join(' ')})`);
  }
  const dataOffset = start + hlen;
  const expected = dims.reduce((a, b) => a * b, 1) * info.bytes;
  if (fileSize - dataOffset !== expected) {
    throw new NpyFormatError(
      `.npy data size mismatch: shape (${dims.join(', ')}) of '${d}' needs ${expected} bytes, the file has ${fileSize - dataOffset}`,
    );
  }
  return { descr: d, fortran, shape: dims, dataOffset };
}

/**
 * The header's Python dict literal, read as strictly as numpy.load reads it (ast.literal_eval,
 * then exactly the keys descr, fortran_order and shape): a damaged header is an error, never a
 * guess.
 */
function parseDict(text: string): { descr: string; fortran: boolean; shape: number[] } {
  let i = 0;
  const bad = (what: string): never => {
    throw new NpyFormatError(`malformed .npy header (${what} at character ${i}): ${JSON.stringify(text.slice(0, 120))}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const eat = (c: string): boolean => {
    ws();
    if (text[i] !== c) return false;
    i++;
    return true;
  };
  const str = (): string => {
    ws();
    if (/[uUrR]/.test(text[i]) && (text[i + 1] === "'" || text[i + 1] === '"')) i++; // u'...' is a str too
    const q = text[i];
    if (q !== "'" && q !== '"') bad('expected a quoted string');
    const end = text.indexOf(q, i + 1);
    if (end < 0) bad('unterminated string');
    const v = text.slice(i + 1, end);
    i = end + 1;
    return v;
  };
  const value = (key: string): string | boolean | number[] => {
    ws();
    if (key === 'descr' && (text[i] === '[' || text[i] === '{')) {
      throw new NpyFormatError('structured dtypes are not supported in .npy files');
    }
    if (text[i] === "'" || text[i] === '"' || /^[uUrR]['"]/.test(text.slice(i, i + 2))) return str();
    if (text.startsWith('True', i)) return (i += 4), true;
    if (text.startsWith('False', i)) return (i += 5), false;
    if (!eat('(')) bad(`unexpected value for '${key}'`);
    const dims: number[] = [];
    for (;;) {
      if (eat(')')) break;
      ws();
      // Python's integer literals: no leading zeros but 0 itself, '_' between digits; the L of
      // Python 2 files as numpy's own filter allows.
      const m = /^(0+|[1-9](?:_?\d)*)L?(?![\w.])/.exec(text.slice(i));
      if (!m) bad('expected a non-negative integer in the shape');
      dims.push(Number(m![1].replace(/_/g, '')));
      i += m![0].length;
      if (eat(',')) continue;
      if (eat(')')) break;
      bad("expected ',' or ')' in the shape");
    }
    return dims;
  };
  if (!eat('{')) bad("expected '{'");
  const got: Record<string, string | boolean | number[]> = {};
  for (;;) {
    if (eat('}')) break;
    const key = str();
    if (key in got) bad(`key '${key}' given twice`);
    if (!eat(':')) bad("expected ':'");
    got[key] = value(key);
    if (eat(',')) continue;
    if (eat('}')) break;
    bad("expected ',' or '}'");
  }
  ws();
  if (i !== text.length) bad('text after the dict');
  const keys = Object.keys(got).sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') {
    throw new NpyFormatError(`.npy header must have exactly the keys descr, fortran_order and shape, it has: ${keys}`);
  }
  const { descr, fortran_order: fortran, shape } = got;
  if (typeof descr !== 'string') bad("'descr' is not a string");
  if (typeof fortran !== 'boolean') bad("'fortran_order' is not True or False");
  if (!Array.isArray(shape)) bad("'shape' is not a tuple");
  return { descr: descr as string, fortran: fortran as boolean, shape: shape as number[] };
}

/** A version 1.0 header (2.0 when the header exceeds 65535 bytes), padded to 64 bytes as NumPy. */
export function formatHeader(dtype: DType, shape: readonly number[]): Uint8Array {
  const shp = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${NPY_DESCR[dtype]}', 'fortran_order': False, 'shape': ${shp}, }`;
  // numpy.save leaves room for the first axis to grow to 21 digits in place.
  if (shape.length > 0) dict += ' '.repeat(21 - String(shape[0]).length);
  let major = 1;
  let pre = 10;
  if (dict.length + 11 > 65535) {
    major = 2;
    pre = 12;
  }
  const pad = 64 - ((pre + dict.length + 1) % 64);
  dict = dict + ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(pre + dict.length);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, dict.length, true);
  else dv.setUint32(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i);
  return out;
}
