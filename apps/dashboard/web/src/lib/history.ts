/**
 * The page's memory of the cluster: every node's samples of the last 5 minutes and when its newest
 * one arrived. Pure apart from its own state: the time ("now", the page's clock, epoch ms) is
 * always passed in, so the tests drive it with a fake clock.
 *
 * Two clocks meet here. Samples carry `at` from their node's clock; they are ordered, charted and
 * trimmed by it. Whether a node is up is judged by the page's clock against the arrival of its
 * newest sample, so a node whose clock is off is not shown down for that.
 */
import type { Sample, Snapshot } from './types';

/** How far back the page keeps and charts samples. */
export const WINDOW_MS = 5 * 60_000;
/** A node whose newest sample arrived longer ago than this is shown down. */
export const DOWN_AFTER_MS = 5_000;
/** Bounds, as the server's: one sample a second for 5 minutes, and that many nodes. */
export const MAX_SAMPLES_PER_NODE = 300;
export const MAX_NODES = 64;

export interface NodeHistory {
  node: string;
  /** Oldest first, by `at`; one per `at`. */
  samples: Sample[];
  /** The page's time of arrival of the newest sample (estimated for those of a snapshot). */
  arrivedAt: number;
}

export interface NodeStatus {
  node: string;
  up: boolean;
  /** Its newest sample, null when none is left in the window. */
  last: Sample | null;
}

/** Inserts `sample` in `at` order; false when one with that `at` is there already. */
function insertSample(samples: Sample[], sample: Sample): boolean {
  let i = samples.length;
  while (i > 0 && samples[i - 1].at > sample.at) i--;
  if (i > 0 && samples[i - 1].at === sample.at) return false;
  samples.splice(i, 0, sample);
  if (samples.length > MAX_SAMPLES_PER_NODE) samples.splice(0, samples.length - MAX_SAMPLES_PER_NODE);
  return true;
}

export class MetricsHistory {
  private readonly byNode = new Map<string, NodeHistory>();

  /** The node's entry, made if there is room (else the node heard from longest ago makes room). */
  private entry(node: string, arrivedAt: number): NodeHistory {
    let h = this.byNode.get(node);
    if (h) return h;
    if (this.byNode.size >= MAX_NODES) {
      const stalest = [...this.byNode.values()].reduce((a, b) => (b.arrivedAt < a.arrivedAt ? b : a));
      this.byNode.delete(stalest.node);
    }
    h = { node, samples: [], arrivedAt };
    this.byNode.set(node, h);
    return h;
  }

  /** A live sample that arrived at `now`. */
  add(sample: Sample, now: number): void {
    const h = this.entry(sample.node, now);
    if (insertSample(h.samples, sample) && h.samples[h.samples.length - 1] === sample) h.arrivedAt = now;
  }

  /**
   * Merges a subscribe reply that arrived at `now` (the first, or the one after a reconnect, which
   * fills the gap). The node that answered sends a sample every second, so the newest `lastAt` in it
   * is about the moment of the reply: each node's newest sample is taken to have arrived as long
   * before `now` as its `lastAt` is before that newest one.
   */
  load(snapshot: Snapshot, now: number): void {
    const newest = Math.max(...snapshot.nodes.map((n) => n.lastAt), ...snapshot.history.map((s) => s.at));
    for (const { node, lastAt } of snapshot.nodes) {
      const h = this.entry(node, -Infinity);
      h.arrivedAt = Math.max(h.arrivedAt, now - (newest - lastAt));
    }
    for (const sample of snapshot.history) {
      const h = this.entry(sample.node, -Infinity);
      insertSample(h.samples, sample);
      h.arrivedAt = Math.max(h.arrivedAt, now - (newest - sample.at));
    }
  }

  /**
   * Drops what is older than the window: samples more than WINDOW_MS before the newest `at` of all,
   * and nodes nothing arrived from for WINDOW_MS (page clock).
   */
  trim(now: number): void {
    const latest = this.latestAt();
    for (const [node, h] of this.byNode) {
      if (now - h.arrivedAt > WINDOW_MS) {
        this.byNode.delete(node);
        continue;
      }
      const keepFrom = h.samples.findIndex((s) => s.at >= latest - WINDOW_MS);
      h.samples.splice(0, keepFrom < 0 ? h.samples.length : keepFrom);
    }
  }

  /** The newest `at` of any node, or 0 with no samples. */
  latestAt(): number {
    let latest = 0;
    for (const h of this.byNode.values()) {
      const last = h.samples[h.samples.length - 1];
      if (last && last.at > latest) latest = last.at;
    }
    return latest;
  }

  /** The nodes by name, each with its samples. */
  histories(): NodeHistory[] {
    return [...this.byNode.values()].sort((a, b) => a.node.localeCompare(b.node));
  }

  /** The nodes by name: up or down at `now`, and their newest sample. */
  statuses(now: number): NodeStatus[] {
    return this.histories().map((h) => ({
      node: h.node,
      up: now - h.arrivedAt <= DOWN_AFTER_MS,
      last: h.samples[h.samples.length - 1] ?? null,
    }));
  }
}
