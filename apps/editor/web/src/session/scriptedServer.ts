// An in-memory server for the editor's protocol and a network between it and the sessions, for
// the tests: the server keeps a bounded history and transforms incoming operations as the real
// one does; the network delivers each connection's messages to the server in order but the
// server's messages in any order (as a cluster may), loses what is in flight when a connection
// drops, and runs on a virtual clock.
import { TextOperation, transform, type Component } from '../ot';
import { Random } from '../ot/random';
import type { SessionSocket } from './protocol';
import type { Timers } from './docSession';

type Listener = (...args: any[]) => void;
type Ack = (reply: unknown) => void;

interface Message {
  conn: Connection;
  toServer: boolean;
  deliver: () => void;
}

/** Virtual time: timers fire only when the test advances the clock. */
export class Clock implements Timers {
  private time = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  now(): number {
    return this.time;
  }
  get idle(): boolean {
    return this.pending.size === 0;
  }
  /** Moves time on by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.pending) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
  }
}

interface Recorded {
  op: TextOperation;
  clientId: string;
  userId: number;
}

/** The client end of a connection: what the server's messages and acks are handed to. */
export interface Peer {
  readonly userId: number;
  receive(conn: Connection, event: string, payload: unknown): void;
  receiveAck(conn: Connection, ack: Ack, reply: unknown): void;
}

/** One connection between a client and the server. */
export class Connection {
  alive = true;
  open = false;
  clientId = '';
  constructor(
    readonly socket: Peer,
    readonly userId: number,
  ) {}
}

export class ScriptedServer {
  text: string;
  revision = 0;
  private readonly history: Recorded[] = []; // the operations that made revisions oldest+1..revision
  private readonly conns = new Set<Connection>();
  readonly queue: Message[] = [];
  /** Operations refused, with the reason (a test fails on unexpected ones). */
  readonly refusals: string[] = [];

  constructor(
    readonly rng: Random,
    readonly docId: number,
    text = '',
    readonly capacity = 50,
    /** Delivers the server's messages to each connection in order too, as one node does. */
    readonly inOrder = false,
  ) {
    this.text = text;
  }

  /** The oldest revision an operation may be based on. */
  get oldest(): number {
    return this.revision - this.history.length;
  }

  connect(socket: Peer): Connection {
    const conn = new Connection(socket, socket.userId);
    this.conns.add(conn);
    return conn;
  }

  /** The connection dropped: what was in flight on it is lost. */
  drop(conn: Connection): void {
    conn.alive = false;
    this.conns.delete(conn);
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].conn === conn) this.queue.splice(i, 1);
    if (conn.open) this.left(conn);
  }

  send(conn: Connection, deliver: () => void, toServer: boolean): void {
    if (conn.alive) this.queue.push({ conn, toServer, deliver });
  }

  /** Delivers one message: a random one, except that a connection's messages keep their order. */
  step(): boolean {
    if (this.queue.length === 0) return false;
    let i = this.rng.below(this.queue.length);
    const m = this.queue[i];
    if (m.toServer || this.inOrder) {
      i = this.queue.findIndex((q) => q.toServer === m.toServer && q.conn === m.conn);
    }
    const [msg] = this.queue.splice(i, 1);
    msg.deliver();
    return true;
  }

  /** A message from a client, as the real server would get it. */
  handle(conn: Connection, event: string, payload: any, ack?: Ack): void {
    const reply = (r: unknown) => ack && this.send(conn, () => conn.socket.receiveAck(conn, ack, r), false);
    if (event === 'openDoc') reply(this.openDoc(conn, payload));
    else if (event === 'op') reply(this.op(conn, payload));
    else if (event === 'closeDoc') {
      if (conn.open) this.left(conn);
      conn.open = false;
      reply({ success: true });
    } else if (event === 'cursor' && conn.open) {
      const user = this.userOf(conn);
      this.broadcast(conn, 'cursor', { ...payload, ...user });
    }
  }

  private userOf(conn: Connection) {
    return { userId: conn.userId, username: `user${conn.userId}`, color: `hsl(${conn.userId * 40} 70% 45%)` };
  }

  private users() {
    const seen = new Map<number, ReturnType<ScriptedServer['userOf']>>();
    for (const c of this.conns) if (c.open) seen.set(c.userId, this.userOf(c));
    return [...seen.values()];
  }

  private openDoc(conn: Connection, p: any): unknown {
    if (p?.docId !== this.docId) return { success: false, error: 'Document not found' };
    const joined = ![...this.conns].some((c) => c.open && c.userId === conn.userId);
    conn.open = true;
    conn.clientId = p.clientId;
    if (joined) this.broadcast(conn, 'userJoined', { docId: this.docId, ...this.userOf(conn) });
    const reply: Record<string, unknown> = {
      success: true,
      doc: { id: this.docId, title: 'Notes', text: this.text, revision: this.revision },
      users: this.users(),
    };
    const from = p.revision;
    if (Number.isSafeInteger(from) && from >= this.oldest && from <= this.revision) {
      reply.missed = this.history.slice(from - this.oldest).map((h, i) => ({
        revision: from + 1 + i,
        ops: h.op.toJSON(),
        userId: h.userId,
        own: h.clientId === conn.clientId,
      }));
    }
    return reply;
  }

  private op(conn: Connection, p: any): unknown {
    if (!conn.open || p?.docId !== this.docId) return { success: false, error: 'Document not open' };
    const fail = (error: string) => {
      this.refusals.push(error);
      return { success: false, error };
    };
    if (p.revision > this.revision) return fail('Revision in the future');
    if (p.revision < this.oldest) return fail('Revision too old');
    let op: TextOperation;
    try {
      op = TextOperation.fromJSON(p.ops);
      for (const h of this.history.slice(p.revision - this.oldest)) [op] = transform(op, h.op);
      this.text = op.apply(this.text);
    } catch (e) {
      return fail(`Invalid operation: ${(e as Error).message}`);
    }
    this.revision++;
    this.history.push({ op, clientId: conn.clientId, userId: conn.userId });
    if (this.history.length > this.capacity) this.history.shift();
    const ops: Component[] = op.toJSON();
    this.broadcast(conn, 'op', { docId: this.docId, revision: this.revision, ops, userId: conn.userId });
    return { success: true, revision: this.revision };
  }

  private left(conn: Connection): void {
    conn.open = false;
    if ([...this.conns].some((c) => c.open && c.userId === conn.userId)) return;
    this.broadcast(conn, 'userLeft', { docId: this.docId, userId: conn.userId });
  }

  private broadcast(from: Connection, event: string, payload: unknown): void {
    for (const c of this.conns) {
      if (c !== from && c.open) this.send(c, () => c.socket.receive(c, event, payload), false);
    }
  }
}

/** The client's end: what a DocSession is given instead of a socket.io-client Socket. */
export class ClientSocket implements SessionSocket, Peer {
  private conn: Connection | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly server: ScriptedServer,
    readonly userId: number,
  ) {}

  get connected(): boolean {
    return this.conn !== null;
  }

  on(event: string, fn: Listener): this {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(fn);
    return this;
  }

  off(event: string, fn: Listener): this {
    this.listeners.get(event)?.delete(fn);
    return this;
  }

  emit(event: string, ...args: any[]): this {
    const conn = this.conn;
    if (!conn) return this; // the session never sends while disconnected; dropped if it did
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as Ack) : undefined;
    this.server.send(conn, () => this.server.handle(conn, event, args[0], ack), true);
    return this;
  }

  connect(): void {
    if (this.conn) return;
    this.conn = this.server.connect(this);
    this.fire('connect');
  }

  disconnect(): void {
    if (!this.conn) return;
    this.server.drop(this.conn);
    this.conn = null;
    this.fire('disconnect', 'transport close');
  }

  receive(conn: Connection, event: string, payload: unknown): void {
    if (conn === this.conn) this.fire(event, payload);
  }

  receiveAck(conn: Connection, ack: Ack, reply: unknown): void {
    if (conn === this.conn) ack(reply);
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) fn(...args);
  }
}
