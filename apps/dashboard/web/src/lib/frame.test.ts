import { describe, expect, it } from 'vitest';
import { frameScheduler } from './frame';

/** Frames that run only when the test says. */
function fakeFrames() {
  const queue = new Map<number, () => void>();
  let next = 1;
  return {
    source: {
      request: (cb: () => void) => {
        queue.set(next, cb);
        return next++;
      },
      cancel: (h: number) => void queue.delete(h),
    },
    pending: () => queue.size,
    run() {
      const callbacks = [...queue.values()];
      queue.clear();
      for (const cb of callbacks) cb();
    },
  };
}

describe('frameScheduler', () => {
  it('draws once per frame however many requests came before it', () => {
    const frames = fakeFrames();
    let draws = 0;
    const s = frameScheduler(() => draws++, frames.source);
    for (let i = 0; i < 50; i++) s.request();
    expect(frames.pending()).toBe(1);
    frames.run();
    expect(draws).toBe(1);
    frames.run();
    expect(draws).toBe(1); // nothing new: no draw
    s.request();
    frames.run();
    expect(draws).toBe(2);
  });

  it('draws nothing once disposed', () => {
    const frames = fakeFrames();
    let draws = 0;
    const s = frameScheduler(() => draws++, frames.source);
    s.request();
    s.dispose();
    s.request();
    frames.run();
    expect(draws).toBe(0);
    expect(frames.pending()).toBe(0);
  });
});
