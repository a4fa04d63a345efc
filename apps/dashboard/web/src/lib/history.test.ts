import { describe, expect, it } from 'vitest';
import { DOWN_AFTER_MS, MAX_NODES, MAX_SAMPLES_PER_NODE, MetricsHistory, WINDOW_MS } from './history';
import { sample } from './testing';

const T0 = 1_800_000_000_000;
const ats = (h: MetricsHistory, node: string) => h.histories().find((x) => x.node === node)?.samples.map((s) => s.at);

describe('MetricsHistory: merging', () => {
  it('keeps each node apart, its samples in time order, one per time', () => {
    const h = new MetricsHistory();
    h.add(sample('b', T0 + 1000), T0 + 1000);
    h.add(sample('a', T0 + 1000), T0 + 1000);
    h.add(sample('a', T0 + 3000), T0 + 3000);
    h.add(sample('a', T0 + 2000), T0 + 3100); // late
    h.add(sample('a', T0 + 3000, { connections: 9 }), T0 + 3200); // again
    expect(h.histories().map((x) => x.node)).toEqual(['a', 'b']);
    expect(ats(h, 'a')).toEqual([T0 + 1000, T0 + 2000, T0 + 3000]);
    expect(h.statuses(T0 + 3200)[0].last?.connections).toBe(1);
  });

  it('merges a snapshot with what it has: the gap after a reconnect is filled, nothing doubled', () => {
    const h = new MetricsHistory();
    h.add(sample('a', T0), T0);
    h.add(sample('a', T0 + 1000), T0 + 1000);
    h.load(
      {
        nodes: [{ node: 'a', lastAt: T0 + 4000 }, { node: 'b', lastAt: T0 + 4000 }],
        history: [1000, 2000, 3000, 4000].flatMap((d) => [sample('a', T0 + d), sample('b', T0 + d)]),
      },
      T0 + 4500,
    );
    expect(ats(h, 'a')).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000]);
    expect(ats(h, 'b')).toEqual([T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000]);
    h.add(sample('a', T0 + 5000), T0 + 5500);
    expect(ats(h, 'a')?.at(-1)).toBe(T0 + 5000);
  });

  it('keeps at most MAX_SAMPLES_PER_NODE samples a node and MAX_NODES nodes', () => {
    const h = new MetricsHistory();
    for (let i = 0; i < MAX_SAMPLES_PER_NODE + 5; i++) h.add(sample('a', T0 + i * 1000), T0 + i * 1000);
    expect(ats(h, 'a')?.length).toBe(MAX_SAMPLES_PER_NODE);
    expect(ats(h, 'a')?.[0]).toBe(T0 + 5000);
    const now = T0 + (MAX_SAMPLES_PER_NODE + 10) * 1000;
    for (let i = 0; i < MAX_NODES; i++) h.add(sample(`n${String(i).padStart(2, '0')}`, now), now + i);
    expect(h.histories().length).toBe(MAX_NODES);
    expect(ats(h, 'a')).toBeUndefined(); // heard from longest ago: made room
  });
});

describe('MetricsHistory: the 5-minute window', () => {
  it('drops samples older than 5 minutes before the newest one', () => {
    const h = new MetricsHistory();
    for (let d = 0; d <= WINDOW_MS + 2000; d += 2000) h.add(sample('a', T0 + d), T0 + d);
    h.trim(T0 + WINDOW_MS + 2000);
    const kept = ats(h, 'a')!;
    expect(kept[0]).toBe(T0 + 2000);
    expect(kept.at(-1)).toBe(T0 + WINDOW_MS + 2000);
    expect(h.latestAt()).toBe(T0 + WINDOW_MS + 2000);
  });

  it('forgets a node nothing came from for 5 minutes; its old samples go first', () => {
    const h = new MetricsHistory();
    h.add(sample('gone', T0), T0);
    for (let d = 1000; d <= WINDOW_MS + 1000; d += 1000) h.add(sample('live', T0 + d), T0 + d);
    h.trim(T0 + WINDOW_MS);
    expect(ats(h, 'gone')).toEqual([]); // out of the window, still listed (down)
    h.trim(T0 + WINDOW_MS + 1000);
    expect(h.histories().map((x) => x.node)).toEqual(['live']);
  });
});

describe('MetricsHistory: down detection (page clock)', () => {
  it('is up until DOWN_AFTER_MS after its newest sample arrived, then down', () => {
    const h = new MetricsHistory();
    // The node's clock is an hour behind the page's: only the arrival time counts.
    h.add(sample('a', T0 - 3_600_000), T0);
    expect(h.statuses(T0 + DOWN_AFTER_MS)[0].up).toBe(true);
    expect(h.statuses(T0 + DOWN_AFTER_MS + 1)[0].up).toBe(false);
    h.add(sample('a', T0 - 3_599_000), T0 + 6000);
    expect(h.statuses(T0 + 6000)[0].up).toBe(true);
  });

  it('a late (older) sample does not bring a node back up', () => {
    const h = new MetricsHistory();
    h.add(sample('a', T0 + 1000), T0 + 1000);
    h.add(sample('a', T0), T0 + 10_000);
    expect(h.statuses(T0 + 10_000)[0].up).toBe(false);
  });

  it('judges the nodes of a snapshot against the newest sample in it, whatever the clocks', () => {
    const h = new MetricsHistory();
    const serverNow = T0 - 7_200_000; // the cluster's clock two hours behind the page's
    h.load(
      {
        nodes: [{ node: 'fresh', lastAt: serverNow }, { node: 'stale', lastAt: serverNow - 8000 }],
        history: [sample('fresh', serverNow), sample('stale', serverNow - 8000)],
      },
      T0,
    );
    expect(h.statuses(T0).map((s) => [s.node, s.up])).toEqual([
      ['fresh', true],
      ['stale', false],
    ]);
    expect(h.statuses(T0 + DOWN_AFTER_MS + 1)[0].up).toBe(false);
  });

  it('an empty snapshot changes nothing', () => {
    const h = new MetricsHistory();
    h.load({ nodes: [], history: [] }, T0);
    expect(h.histories()).toEqual([]);
    expect(h.latestAt()).toBe(0);
  });
});
