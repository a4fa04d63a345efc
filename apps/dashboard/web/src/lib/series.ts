/**
 * The four charts' data, built from the history: one x axis shared by the nodes (uPlot wants
 * aligned data), one series per node, null where a node has no sample at that time.
 */
import { formatBytes, formatMs, formatNumber, maxLagMs, megabytes } from './format';
import { WINDOW_MS, type MetricsHistory, type NodeHistory, type NodeStatus } from './history';
import type { Sample } from './types';

export interface Metric {
  key: 'connections' | 'messages' | 'loopLag' | 'rss';
  title: string;
  /** What is drawn, for the chart's caption. */
  caption: string;
  /** The y unit shown on the axis. */
  unit: string;
  /** Counts: the axis ticks are whole numbers. */
  whole: boolean;
  value: (s: Sample) => number;
  /** A latest value as text. */
  format: (s: Sample) => string;
}

export const METRICS: readonly Metric[] = [
  {
    key: 'connections',
    title: 'Connections',
    caption: 'Open Engine.IO connections of each node',
    unit: '',
    whole: true,
    value: (s) => s.connections,
    format: (s) => String(s.connections),
  },
  {
    key: 'messages',
    title: 'Messages per second',
    caption: 'Engine.IO messages received plus sent per second, by node',
    unit: '/s',
    whole: false,
    value: (s) => s.packetsInPerS + s.packetsOutPerS,
    format: (s) => `${formatNumber(s.packetsInPerS + s.packetsOutPerS)}/s`,
  },
  {
    key: 'loopLag',
    title: 'Event-loop lag',
    caption: 'The largest lag of any worker of each node, in milliseconds',
    unit: 'ms',
    whole: false,
    value: (s) => maxLagMs(s.loopLagMs),
    format: (s) => formatMs(maxLagMs(s.loopLagMs)),
  },
  {
    key: 'rss',
    title: 'Memory (RSS)',
    caption: 'Resident memory of each node, in megabytes',
    unit: 'MB',
    whole: false,
    value: (s) => megabytes(s.rssBytes),
    format: (s) => formatBytes(s.rssBytes),
  },
];

/** The shortest span a chart shows (s): a young server's few samples still read as a line. */
export const MIN_SPAN_S = 60;

/**
 * The x range of a chart (s) for data from `min` to `max`: up to the newest sample, back as far as
 * the oldest but at most the 5-minute window and at least MIN_SPAN_S.
 */
export function timeRange(min: number | null, max: number | null): [number, number] {
  const span = WINDOW_MS / 1000;
  if (min === null || max === null) {
    const now = Date.now() / 1000;
    return [now - MIN_SPAN_S, now];
  }
  return [max - Math.min(span, Math.max(MIN_SPAN_S, max - min)), max];
}

/** uPlot's aligned data: x in seconds, then one y array per node. */
export type AlignedData = [number[], ...(number | null)[][]];

/** The distinct sample times of all nodes, ascending, in ms. */
export function timesOf(histories: readonly NodeHistory[]): number[] {
  const all = new Set<number>();
  for (const h of histories) for (const s of h.samples) all.add(s.at);
  return [...all].sort((a, b) => a - b);
}

/** One chart's data: the x axis of `times` (ms, turned into seconds) and each node's values on it. */
export function buildSeries(histories: readonly NodeHistory[], metric: Metric, times = timesOf(histories)): AlignedData {
  const index = new Map(times.map((t, i) => [t, i]));
  const ys = histories.map((h) => {
    const y: (number | null)[] = new Array(times.length).fill(null);
    for (const s of h.samples) {
      const i = index.get(s.at);
      if (i !== undefined) y[i] = metric.value(s);
    }
    return y;
  });
  return [times.map((t) => t / 1000), ...ys];
}

/** Colours of the nodes' series, by the node's place in the (sorted) list. */
export const NODE_COLOURS = ['#4f46e5', '#16a34a', '#dc2626', '#d97706', '#0891b2', '#c026d3', '#65a30d', '#7c3aed'];
export const colourOf = (index: number): string => NODE_COLOURS[index % NODE_COLOURS.length];

/** One chart as the page draws it: the metric, and its data over the nodes of the view. */
export interface ChartView {
  metric: Metric;
  data: AlignedData;
}

/** What the page shows at one moment: the nodes' cards and the four charts. */
export interface DashboardView {
  nodes: NodeStatus[];
  charts: ChartView[];
}

/** The view of `history` at `now` (page clock): nodes by name, their colours by that order. */
export function dashboardView(history: MetricsHistory, now: number): DashboardView {
  const histories = history.histories();
  const times = timesOf(histories);
  return {
    nodes: history.statuses(now),
    charts: METRICS.map((metric) => ({ metric, data: buildSeries(histories, metric, times) })),
  };
}
