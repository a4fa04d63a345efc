import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSample, parseSnapshot } from './protocol';
import { RESUBSCRIBE_DELAY_MS, watchMetrics } from './session';
import { sample } from './testing';
import { ScriptedSocket } from 'sio-common-web/testing';
import type { Sample, Snapshot } from './types';

const T0 = 1_800_000_000_000;
const ok = (history: Sample[]) => ({ success: true, nodes: history.map((s) => ({ node: s.node, lastAt: s.at })), history });

function watch(socket: ScriptedSocket) {
  const got = { snapshots: [] as Snapshot[], samples: [] as Sample[], errors: [] as string[] };
  const stop = watchMetrics(socket, {
    snapshot: (s) => got.snapshots.push(s),
    sample: (s) => got.samples.push(s),
    error: (e) => got.errors.push(e),
  });
  return { got, stop };
}

afterEach(() => vi.useRealTimers());

describe('watchMetrics', () => {
  it('subscribes on connect and again after a reconnect, and passes the snapshot on', () => {
    const socket = new ScriptedSocket();
    const { got } = watch(socket);
    expect(socket.count('subscribe')).toBe(0);
    socket.fire('connect');
    socket.reply('subscribe', 0, ok([sample('a', T0)]));
    socket.fire('disconnect');
    socket.fire('connect');
    expect(socket.count('subscribe')).toBe(2);
    socket.reply('subscribe', 1, ok([sample('a', T0), sample('a', T0 + 1000)]));
    expect(got.snapshots.map((s) => s.history.length)).toEqual([1, 2]);
  });

  it('subscribes at once on a socket already connected', () => {
    const socket = new ScriptedSocket();
    socket.connected = true;
    watch(socket);
    expect(socket.count('subscribe')).toBe(1);
  });

  it('ignores the reply of a subscribe sent before a reconnect', () => {
    const socket = new ScriptedSocket();
    const { got } = watch(socket);
    socket.fire('connect');
    socket.fire('disconnect');
    socket.fire('connect');
    socket.reply('subscribe', 1, ok([sample('new', T0)]));
    socket.reply('subscribe', 0, ok([sample('old', T0)]));
    expect(got.snapshots.map((s) => s.history[0].node)).toEqual(['new']);
  });

  it('passes well-formed metrics samples on and drops the others', () => {
    const socket = new ScriptedSocket();
    const { got } = watch(socket);
    socket.fire('connect');
    socket.fire('metrics', sample('a', T0));
    socket.fire('metrics', { ...sample('a', T0 + 1000), connections: -1 });
    socket.fire('metrics', { ...sample('a', T0 + 1000), loopLagMs: ['x'] });
    socket.fire('metrics', 'nonsense');
    socket.fire('metrics', sample('a', T0 + 2000));
    expect(got.samples.map((s) => s.at)).toEqual([T0, T0 + 2000]);
  });

  it('reports a refused subscribe and asks again later while connected', () => {
    vi.useFakeTimers();
    const socket = new ScriptedSocket();
    const { got } = watch(socket);
    socket.fire('connect');
    socket.reply('subscribe', 0, { success: false, error: 'Too many requests' });
    expect(got.errors).toEqual(['Too many requests']);
    vi.advanceTimersByTime(RESUBSCRIBE_DELAY_MS);
    expect(socket.count('subscribe')).toBe(2);
    socket.reply('subscribe', 1, 'garbage');
    expect(got.errors).toEqual(['Too many requests', 'The server refused the subscription']);
  });

  it('stops: unsubscribes, listens no more, ignores a late reply', () => {
    const socket = new ScriptedSocket();
    const { got, stop } = watch(socket);
    socket.fire('connect');
    stop();
    expect(socket.count('unsubscribe')).toBe(1);
    expect(socket.listenerCount()).toBe(0);
    socket.reply('subscribe', 0, ok([sample('a', T0)]));
    expect(got.snapshots).toEqual([]);
  });
});

describe('the protocol checks', () => {
  it('reads a sample exactly, and refuses a wrong one', () => {
    const s = sample('node-1:3000', T0, { sockets: { '/': 2, '/dashboard': 1 }, loopLagMs: [0.1, 2] });
    expect(parseSample(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(parseSample({ ...s, node: '' })).toBeNull();
    expect(parseSample({ ...s, node: 'x'.repeat(201) })).toBeNull();
    expect(parseSample({ ...s, sockets: { '/': 1.5 } })).toBeNull();
    expect(parseSample({ ...s, cpuPct: Number.NaN })).toBeNull();
    expect(parseSample({ ...s, rssBytes: undefined })).toBeNull();
  });

  it('reads a snapshot, leaving out malformed entries; a refusal is none', () => {
    const good = sample('a', T0);
    expect(parseSnapshot({ success: true, nodes: [{ node: 'a', lastAt: T0 }, { node: 3 }], history: [good, {}] })).toEqual({
      nodes: [{ node: 'a', lastAt: T0 }],
      history: [good],
    });
    expect(parseSnapshot({ success: false, error: 'no' })).toBeNull();
    expect(parseSnapshot({ success: true })).toBeNull();
  });
});
