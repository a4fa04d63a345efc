/** How the page writes numbers: short, with their unit. */

const MB = 1_000_000;

export const maxLagMs = (loopLagMs: readonly number[]): number => (loopLagMs.length ? Math.max(...loopLagMs) : 0);

export const megabytes = (bytes: number): number => bytes / MB;

/** 12.3 MB, 456 MB, 1.23 GB. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1000 * MB) return `${(bytes / (1000 * MB)).toFixed(2)} GB`;
  const mb = bytes / MB;
  return `${mb >= 100 ? mb.toFixed(0) : mb.toFixed(1)} MB`;
}

/** A rate or a measure: whole from 100 up, else one decimal (0 stays "0"). */
export function formatNumber(v: number): string {
  if (v === 0) return '0';
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
}

export const formatMs = (ms: number): string => `${formatNumber(ms)} ms`;

export const formatPct = (pct: number): string => `${formatNumber(pct)} %`;

/** An axis unit after a number: "ms" with a space, "/s" without. */
export const unitSuffix = (unit: string): string => (unit === '' || unit.startsWith('/') ? unit : ` ${unit}`);

/** "/ 3 · /chat 1": sockets per namespace, namespaces by name; "none" without sockets. */
export function socketsText(sockets: Record<string, number>): string {
  const entries = Object.entries(sockets).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([nsp, n]) => `${nsp} ${n}`).join(' · ') : 'none';
}
