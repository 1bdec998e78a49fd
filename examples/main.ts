// Shared by the examples: is this module the program being run, and its numeric arguments.
import { pathToFileURL } from 'node:url';

export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && url === pathToFileURL(process.argv[1]).href;
}

export function numArg(i: number, fallback: number): number {
  const v = process.argv[2 + i];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) {
    console.error(`argument ${i + 1} must be a number, got ${v}`);
    process.exit(2);
  }
  return n;
}
