// The file side of parallel .npy I/O: each rank writes or reads the element ranges it owns at
// their byte positions in the one file (positioned I/O, no gathering through rank 0).
import { closeSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { Block } from '../smp/store.js';
import type { Range } from './partition.js';

function bytesOf(b: Block, [lo, hi]: Range): Uint8Array {
  const size = b.data.BYTES_PER_ELEMENT;
  return new Uint8Array(b.data.buffer, b.data.byteOffset + lo * size, (hi - lo) * size);
}

/** Create the file: the header, then room for the data (every rank writes its part into it). */
export function createNpy(path: string, header: Uint8Array, b: Block): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header, 0, header.length, 0);
    ftruncateSync(fd, header.length + b.length * b.data.BYTES_PER_ELEMENT);
  } finally {
    closeSync(fd);
  }
}

export function writeRanges(path: string, headerLength: number, b: Block, ranges: Range[]): void {
  const fd = openSync(path, 'r+');
  try {
    for (const r of ranges) {
      const bytes = bytesOf(b, r);
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, headerLength + r[0] * b.data.BYTES_PER_ELEMENT + done);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function readRanges(path: string, offset: number, b: Block, ranges: Range[]): void {
  const fd = openSync(path, 'r');
  try {
    for (const r of ranges) {
      const bytes = bytesOf(b, r);
      let done = 0;
      while (done < bytes.length) {
        const n = readSync(fd, bytes, done, bytes.length - done, offset + r[0] * b.data.BYTES_PER_ELEMENT + done);
        if (n === 0) throw new Error(`${path}: file ends before the data it declares`);
        done += n;
      }
    }
  } finally {
    closeSync(fd);
  }
}
