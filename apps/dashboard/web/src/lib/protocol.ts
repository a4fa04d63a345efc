/**
 * Every message of the namespace "/dashboard" is checked here before the page's state sees it: a
 * malformed sample is dropped, never drawn.
 */
import type { NodeInfo, Sample, Snapshot } from './types';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
/** Node names are shown as text; a bounded length keeps one bad node from breaking the layout. */
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;

function parseSockets(v: unknown): Record<string, number> | null {
  if (!isObject(v)) return null;
  const out: Record<string, number> = {};
  for (const [nsp, count] of Object.entries(v)) {
    if (!isCount(count)) return null;
    out[nsp] = count;
  }
  return out;
}

export function parseSample(v: unknown): Sample | null {
  if (!isObject(v) || !isCount(v.at) || !isName(v.node)) return null;
  const { connections, rooms, packetsInPerS, packetsOutPerS, bytesInPerS, bytesOutPerS, rssBytes, cpuPct } = v;
  if (!isCount(connections) || !isCount(rooms) || !isAmount(rssBytes) || !isAmount(cpuPct)) return null;
  if (![packetsInPerS, packetsOutPerS, bytesInPerS, bytesOutPerS].every(isAmount)) return null;
  const sockets = parseSockets(v.sockets);
  if (!sockets || !Array.isArray(v.loopLagMs) || !v.loopLagMs.every(isAmount)) return null;
  return {
    at: v.at,
    node: v.node,
    connections,
    sockets,
    rooms,
    packetsInPerS: packetsInPerS as number,
    packetsOutPerS: packetsOutPerS as number,
    bytesInPerS: bytesInPerS as number,
    bytesOutPerS: bytesOutPerS as number,
    loopLagMs: [...(v.loopLagMs as number[])],
    rssBytes,
    cpuPct,
  };
}

function parseNode(v: unknown): NodeInfo | null {
  if (!isObject(v) || !isName(v.node) || !isCount(v.lastAt)) return null;
  return { node: v.node, lastAt: v.lastAt };
}

const present = <T>(v: T | null): v is T => v !== null;

/** The subscribe ack, or null when it is a refusal or not one; malformed entries are left out. */
export function parseSnapshot(v: unknown): Snapshot | null {
  if (!isObject(v) || v.success !== true || !Array.isArray(v.nodes) || !Array.isArray(v.history)) return null;
  return { nodes: v.nodes.map(parseNode).filter(present), history: v.history.map(parseSample).filter(present) };
}

/** The error of a refused ack, or `fallback`. */
export const errorOf = (v: unknown, fallback: string): string =>
  isObject(v) && typeof v.error === 'string' && v.error ? v.error : fallback;
