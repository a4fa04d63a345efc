/**
 * Events with an acknowledgement, as the apps' pages send them: the reply, or a refusal of our own
 * when none comes in time; and how a reply `{success, error}` is read.
 */

/** The few methods of socket.io-client's Socket the pages talk through (tests script them). */
export interface AckSocket {
  readonly connected: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: any[]): unknown;
}

/** How long an ack may take before the page gives up on it. */
export const ACK_TIMEOUT_MS = 10_000;
export const NO_ANSWER = 'No answer from the server';

/** Emits `event` with an ack; the reply, or `{success: false, error: NO_ANSWER}` when none comes in time. */
export function call(socket: AckSocket, event: string, arg: unknown, timeoutMs = ACK_TIMEOUT_MS): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ success: false, error: NO_ANSWER }), timeoutMs);
    socket.emit(event, arg, (reply: unknown) => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `error` text of a failed ack, or a fallback. */
export function errorOf(reply: unknown, fallback: string): string {
  return isObject(reply) && typeof reply.error === 'string' ? reply.error : fallback;
}

/** An ack that says `success: true`. */
export const succeeded = (reply: unknown): reply is Json => isObject(reply) && reply.success === true;
