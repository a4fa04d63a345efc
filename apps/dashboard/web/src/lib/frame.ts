/**
 * Redraws at most once per animation frame: however many samples arrive, `request()` schedules one
 * `draw` on the next frame. The frame source is injected (requestAnimationFrame in the page).
 */
export interface FrameSource {
  request: (callback: () => void) => number;
  cancel: (handle: number) => void;
}

export interface FrameScheduler {
  /** Something changed: draw on the next frame (once, however often this is called before it). */
  request: () => void;
  /** Stops: a pending frame is cancelled. */
  dispose: () => void;
}

export function frameScheduler(draw: () => void, frames: FrameSource): FrameScheduler {
  let pending: number | null = null;
  let disposed = false;
  return {
    request() {
      if (pending !== null || disposed) return;
      pending = frames.request(() => {
        pending = null;
        draw();
      });
    },
    dispose() {
      disposed = true;
      if (pending !== null) frames.cancel(pending);
      pending = null;
    },
  };
}
