/** Samples for the tests: every field set, `over` changing some. */
import type { Sample } from './types';

export const sample = (node: string, at: number, over: Partial<Sample> = {}): Sample => ({
  at,
  node,
  connections: 1,
  sockets: { '/': 1 },
  rooms: 0,
  packetsInPerS: 0,
  packetsOutPerS: 0,
  bytesInPerS: 0,
  bytesOutPerS: 0,
  loopLagMs: [0.5],
  rssBytes: 50_000_000,
  cpuPct: 1,
  ...over,
});
