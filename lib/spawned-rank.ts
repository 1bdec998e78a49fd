// The program of a rank spawned by rank 0 under DISTNUMPY_RANKS (lib/dist/spawn.ts): importing
// the library makes it serve rank 0's batches until rank 0 shuts down.
process.env.DISTNUMPY_SPAWNED_RANK = '1';
await import('./index.js');
