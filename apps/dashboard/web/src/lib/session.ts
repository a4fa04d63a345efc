/**
 * The page's side of the namespace "/dashboard": subscribes now if connected and again on every
 * (re)connect (a new connection has no subscription; the reply's history fills what was missed),
 * and hands the checked snapshot and samples on. It talks through the few methods of
 * socket.io-client's Socket that it uses, so the tests drive it with a scripted socket.
 */
import type { AckSocket } from 'sio-common-web';
import { errorOf, parseSample, parseSnapshot } from './protocol';
import type { Sample, Snapshot } from './types';

/** The socket the page talks through: socket.io-client's Socket fits. */
export type DashboardSocket = AckSocket;

export interface MetricsListener {
  snapshot: (snapshot: Snapshot) => void;
  sample: (sample: Sample) => void;
  /** A refused subscribe (it is tried again after RESUBSCRIBE_DELAY_MS while connected). */
  error: (message: string) => void;
}

/** How long after a refused subscribe the page asks again. */
export const RESUBSCRIBE_DELAY_MS = 3_000;

/** Follows the metrics of every node until the returned function is called (which unsubscribes). */
export function watchMetrics(socket: DashboardSocket, listener: MetricsListener): () => void {
  let stopped = false;
  // Only the newest subscribe's reply counts: one sent before a reconnect may still be answered.
  let generation = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const subscribe = () => {
    clearTimeout(retry);
    const mine = ++generation;
    socket.emit('subscribe', {}, (reply: unknown) => {
      if (stopped || mine !== generation) return;
      const snapshot = parseSnapshot(reply);
      if (snapshot) {
        listener.snapshot(snapshot);
        return;
      }
      listener.error(errorOf(reply, 'The server refused the subscription'));
      if (socket.connected) retry = setTimeout(subscribe, RESUBSCRIBE_DELAY_MS);
    });
  };
  const onMetrics = (m: unknown) => {
    const sample = parseSample(m);
    if (sample) listener.sample(sample);
  };

  socket.on('connect', subscribe);
  socket.on('metrics', onMetrics);
  if (socket.connected) subscribe();
  return () => {
    stopped = true;
    clearTimeout(retry);
    socket.off('connect', subscribe);
    socket.off('metrics', onMetrics);
    if (socket.connected) socket.emit('unsubscribe', {});
  };
}
