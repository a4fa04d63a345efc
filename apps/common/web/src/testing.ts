/**
 * Test support for the apps' socket glue (sio-common-web/testing): a socket whose server side is
 * a script, so that unit tests drive the code that talks to a namespace without a network.
 */
import type { AckSocket } from './acks';

type Listener = (...args: any[]) => void;

/**
 * A socket whose server side is a script: `answer` decides each ack (undefined: never answers);
 * reply() answers one by hand.
 */
export class ScriptedSocket implements AckSocket {
  connected = false;
  readonly sent: { event: string; arg: unknown }[] = [];
  private readonly acks: (Listener | undefined)[] = [];  // of each entry of `sent`
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Without `answer`, no ack is answered until the test calls reply(). */
  constructor(private readonly answer: (event: string, arg: any) => unknown = () => undefined) {}

  on(event: string, fn: Listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(fn);
    return this;
  }
  off(event: string, fn: Listener) {
    this.listeners.get(event)?.delete(fn);
    return this;
  }
  emit(event: string, arg: unknown, ack?: (reply: unknown) => void) {
    this.sent.push({ event, arg });
    this.acks.push(ack);
    const reply = this.answer(event, arg);
    if (reply !== undefined) queueMicrotask(() => ack?.(reply));
    return this;
  }
  /** The server sends `event`, or the client reports (dis)connection. */
  fire(event: string, ...args: unknown[]) {
    if (event === 'connect') this.connected = true;
    if (event === 'disconnect') this.connected = false;
    for (const fn of [...(this.listeners.get(event) ?? [])]) fn(...args);
  }
  /** Answers the `n`th emit of `event` (0 first) by hand, in any order. */
  reply(event: string, n: number, answer: unknown) {
    const index = this.sent.map((m, i) => (m.event === event ? i : -1)).filter((i) => i >= 0)[n];
    this.acks[index]?.(answer);
  }
  listenerCount() {
    return [...this.listeners.values()].reduce((n, s) => n + s.size, 0);
  }
  count(event: string) {
    return this.sent.filter((m) => m.event === event).length;
  }
}
