import { describe, expect, it } from 'vitest';
import { formatBytes, formatNumber, maxLagMs, socketsText, unitSuffix } from './format';
import { DOWN_AFTER_MS, MetricsHistory, type NodeHistory } from './history';
import { buildSeries, colourOf, dashboardView, METRICS, MIN_SPAN_S, NODE_COLOURS, timeRange, timesOf } from './series';
import { sample } from './testing';

const T0 = 1_800_000_000_000;
const metric = (key: string) => METRICS.find((m) => m.key === key)!;
const node = (name: string, ...samples: ReturnType<typeof sample>[]): NodeHistory => ({ node: name, samples, arrivedAt: 0 });

describe('buildSeries', () => {
  const a = node('a', sample('a', T0, { connections: 3 }), sample('a', T0 + 1000, { connections: 4 }));
  const b = node('b', sample('b', T0 + 500, { connections: 7 }), sample('b', T0 + 1000, { connections: 8 }));

  it('puts every node on one time axis in seconds, null where a node has no sample', () => {
    expect(timesOf([a, b])).toEqual([T0, T0 + 500, T0 + 1000]);
    expect(buildSeries([a, b], metric('connections'))).toEqual([
      [T0 / 1000, T0 / 1000 + 0.5, T0 / 1000 + 1],
      [3, null, 4],
      [null, 7, 8],
    ]);
  });

  it('draws messages as in + out, loop lag as the worst worker, memory in MB', () => {
    const s = sample('a', T0, { packetsInPerS: 12, packetsOutPerS: 30, loopLagMs: [0.2, 4.5, 1], rssBytes: 64_500_000 });
    const h = [node('a', s)];
    expect(buildSeries(h, metric('messages'))[1]).toEqual([42]);
    expect(buildSeries(h, metric('loopLag'))[1]).toEqual([4.5]);
    expect(buildSeries(h, metric('rss'))[1]).toEqual([64.5]);
    expect(METRICS.map((m) => m.format(s))).toEqual(['1', '42.0/s', '4.5 ms', '64.5 MB']);
  });

  it('is empty without samples', () => {
    expect(buildSeries([], metric('connections'))).toEqual([[]]);
    expect(buildSeries([node('a')], metric('connections'))).toEqual([[], []]);
  });
});

describe('timeRange', () => {
  it('ends at the newest sample and spans the data, between a minute and the 5-minute window', () => {
    const t = T0 / 1000;
    expect(timeRange(t - 120, t)).toEqual([t - 120, t]);
    expect(timeRange(t - 5, t)).toEqual([t - MIN_SPAN_S, t]);
    expect(timeRange(t, t)).toEqual([t - MIN_SPAN_S, t]);
    expect(timeRange(t - 3600, t)).toEqual([t - 300, t]);
    const [from, to] = timeRange(null, null);
    expect(to - from).toBe(MIN_SPAN_S);
  });
});

describe('formatting', () => {
  it('writes sizes, rates and lags briefly', () => {
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(456_000_000)).toBe('456 MB');
    expect(formatBytes(1_230_000_000)).toBe('1.23 GB');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(2.345)).toBe('2.3');
    expect(formatNumber(12345.6)).toBe('12,346');
    expect(maxLagMs([])).toBe(0);
    expect(['', 'ms', '/s', 'MB'].map((u) => `5${unitSuffix(u)}`)).toEqual(['5', '5 ms', '5/s', '5 MB']);
  });

  it('lists sockets per namespace by name', () => {
    expect(socketsText({ '/dashboard': 1, '/': 3, '/chat': 0 })).toBe('/ 3 · /chat 0 · /dashboard 1');
    expect(socketsText({})).toBe('none');
  });

  it('gives each node a colour, in turn', () => {
    expect(colourOf(0)).toBe(NODE_COLOURS[0]);
    expect(colourOf(NODE_COLOURS.length)).toBe(NODE_COLOURS[0]);
  });
});

describe('dashboardView', () => {
  it('lists the nodes by name with their state and draws each chart over them', () => {
    const h = new MetricsHistory();
    h.add(sample('b', T0, { connections: 2 }), T0);
    h.add(sample('a', T0 + 1000, { connections: 5 }), T0 + 1000);
    const view = dashboardView(h, T0 + 1000 + DOWN_AFTER_MS + 1);
    expect(view.nodes.map((n) => [n.node, n.up, n.last?.connections])).toEqual([
      ['a', false, 5],
      ['b', false, 2],
    ]);
    expect(view.charts.map((c) => c.metric.key)).toEqual(['connections', 'messages', 'loopLag', 'rss']);
    expect(view.charts[0].data).toEqual([[T0 / 1000, T0 / 1000 + 1], [null, 5], [2, null]]);
  });
});
