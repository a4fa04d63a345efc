// One open document over the editor's namespace: the OT client, the protocol around it and the
// connection's ups and downs. Pure TypeScript (no React, no editor widget): a socket goes in,
// callbacks come out, and the view feeds local edits in as operations.
//
// Acks and `op` events are applied in revision order: early ones wait for the gap before them,
// and a gap still open after `gapTimeoutMs` reopens the document from the page's revision. After a
// reconnect the page reopens with its clientId and revision: the operations it missed are replayed
// (its own count as acknowledged, the unconfirmed rest is sent again), or, when the server no
// longer has that revision, the document is reloaded and the unconfirmed edits are merged into it.
import { OtClient, transform, transformCursor, TextOperation, type Cursor } from '../ot';
import { diffOperation } from './diff';
import {
  errorOf,
  opPayload,
  parseCursorEvent,
  parseOpenDocReply,
  parseOpEvent,
  parseUser,
  toId,
  type DocInfo,
  type MissedEntry,
  type OpenDocReply,
  type PresenceUser,
  type RemoteCursor,
  type SessionSocket,
} from './protocol';

/** Time as the session sees it; injectable for tests. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/**
 * connecting: the first openDoc is on its way; connected: the document is open and live;
 * reconnecting: the connection dropped or the document is being reopened; closed: close() ran.
 */
export type SessionStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface DocSessionCallbacks {
  /** The document's first load: the editor shows `doc.text`. */
  onLoad?(doc: DocInfo): void;
  /** An operation from elsewhere, to apply to the editor's text as it is now (no echo). */
  onRemoteChange?(op: TextOperation): void;
  onUsers?(users: PresenceUser[]): void;
  /** The other editors' cursors, already moved by every change applied. */
  onCursors?(cursors: RemoteCursor[]): void;
  onStatus?(status: SessionStatus): void;
  /** Something the user should read (a refused edit, a document that cannot be opened). */
  onError?(message: string): void;
}

export interface DocSessionOptions {
  docId: number;
  /** Names this editor instance across reconnects (1-64 of [A-Za-z0-9_-]). */
  clientId: string;
  /** How long a gap in the revisions may stay open before the session resynchronises. */
  gapTimeoutMs?: number; // default 3000
  /** At most one own cursor is sent per this interval. */
  cursorIntervalMs?: number; // default 50
  timers?: Timers;
}

type Held = { kind: 'op'; op: TextOperation } | { kind: 'ack'; seq: number };

/** Refusals of the same unconfirmed edits after which they are dropped and the document reloaded. */
const maxRefusals = 2;
/** The refusals that are about the revision the operation was based on ("Revision too old"). */
const revisionError = /revision/i;

export class DocSession {
  readonly docId: number;
  readonly clientId: string;
  private readonly gapTimeoutMs: number;
  private readonly cursorIntervalMs: number;
  private readonly timers: Timers;

  private ot: OtClient | null = null;
  private local = ''; // the page's text
  private confirmed = ''; // the server's text at ot.revision
  private title = '';
  private statusValue: SessionStatus = 'connecting';
  private open = false; // the document is open on the current connection
  private asked = false; // openDoc was sent on the current connection
  private openSeq = 0; // the openDoc whose ack counts
  private sendSeq = 0;
  private inflight = 0; // the op whose ack counts (0: none)
  private readonly held = new Map<number, Held>();
  private gapTimer: unknown = null;
  private refusals = 0;
  private dropUnconfirmed = false;
  private outstandingEdits = 0;
  private bufferedEdits = 0;
  private readonly users = new Map<number, PresenceUser>();
  private readonly cursors = new Map<number, RemoteCursor>();
  private ownCursor: Cursor | null = null;
  private cursorTimer: unknown = null;
  private cursorSentAt = -Infinity;
  private cursorDue = false; // the own cursor waits for the edits to be confirmed
  // The next cursor answers a newcomer: sent as a normal event, which no transport drops.
  private cursorReliable = false;
  private readonly listeners: [string, (...args: any[]) => void][];

  constructor(
    private readonly socket: SessionSocket,
    options: DocSessionOptions,
    private readonly callbacks: DocSessionCallbacks = {},
  ) {
    this.docId = options.docId;
    this.clientId = options.clientId;
    this.gapTimeoutMs = options.gapTimeoutMs ?? 3000;
    this.cursorIntervalMs = options.cursorIntervalMs ?? 50;
    this.timers = options.timers ?? realTimers;
    this.listeners = [
      ['connect', () => this.reopen()],
      ['disconnect', () => this.onDisconnect()],
      ['op', (m: unknown) => this.onOpEvent(m)],
      ['cursor', (m: unknown) => this.onCursorEvent(m)],
      ['userJoined', (m: unknown) => this.onUserJoined(m)],
      ['userLeft', (m: unknown) => this.onUserLeft(m)],
    ];
    for (const [event, fn] of this.listeners) socket.on(event, fn);
    if (socket.connected) this.reopen();
  }

  /** The page's text: the server's plus the edits not confirmed yet. */
  get text(): string {
    return this.local;
  }
  get docTitle(): string {
    return this.title;
  }
  get loaded(): boolean {
    return this.ot !== null;
  }
  /** The server revision the page's text is based on. */
  get revision(): number {
    return this.ot?.revision ?? 0;
  }
  get status(): SessionStatus {
    return this.statusValue;
  }
  /** Local edits the server has not confirmed yet. */
  get unconfirmedEdits(): number {
    return this.outstandingEdits + this.bufferedEdits;
  }
  /** True when nothing is unconfirmed and no event waits for a gap. */
  get settled(): boolean {
    return this.ot?.state.kind === 'synchronized' && this.held.size === 0 && this.open;
  }
  get presence(): PresenceUser[] {
    return [...this.users.values()];
  }
  get remoteCursors(): RemoteCursor[] {
    return [...this.cursors.values()];
  }

  /** A local edit the editor has already made; `op` applies to `text`. */
  applyLocal(op: TextOperation): void {
    if (!this.ot) throw new Error('DocSession: edit before the document loaded');
    if (this.statusValue === 'closed') return;
    if (op.isNoop()) return;
    this.local = op.apply(this.local);
    this.moveCursors(op);
    if (this.ot.state.kind === 'synchronized') this.outstandingEdits = 1;
    else this.bufferedEdits++;
    this.ot.applyClient(op);
    this.callbacks.onStatus?.(this.statusValue);
  }

  /** The page's own cursor; sent to the others at most once per cursorIntervalMs. */
  setCursor(cursor: Cursor): void {
    this.ownCursor = cursor;
    if (this.cursorTimer !== null) return;
    const wait = this.cursorSentAt + this.cursorIntervalMs - this.timers.now();
    if (wait <= 0) this.sendCursor();
    else this.cursorTimer = this.timers.setTimeout(() => this.sendCursor(), wait);
  }

  /** Leaves the document: closeDoc, listeners and timers gone. */
  close(): void {
    if (this.statusValue === 'closed') return;
    for (const [event, fn] of this.listeners) this.socket.off(event, fn);
    // Also when the openDoc ack has not come yet: the server may have opened it already.
    if (this.asked && this.socket.connected) this.socket.emit('closeDoc', { docId: this.docId }, () => {});
    this.open = false;
    this.stopGapTimer();
    if (this.cursorTimer !== null) this.timers.clearTimeout(this.cursorTimer);
    this.cursorTimer = null;
    this.setStatus('closed');
  }

  // ---- opening and reopening ----

  /** openDoc on the current connection; from the page's revision once it has one. */
  private reopen(): void {
    if (this.statusValue === 'closed' || !this.socket.connected) return;
    this.open = false;
    this.inflight = 0;
    this.stopGapTimer();
    this.asked = true;
    const seq = ++this.openSeq;
    const payload: Record<string, unknown> = { docId: this.docId, clientId: this.clientId };
    if (this.ot && !this.dropUnconfirmed) payload.revision = this.ot.revision;
    if (this.ot) this.setStatus('reconnecting');
    this.socket.emit('openDoc', payload, (reply: unknown) => {
      if (seq === this.openSeq && this.statusValue !== 'closed') this.onOpened(reply);
    });
  }

  private onOpened(raw: unknown): void {
    const reply = parseOpenDocReply(raw);
    if (!reply) {
      this.callbacks.onError?.(errorOf(raw, 'The document could not be opened'));
      return;
    }
    this.title = reply.doc.title;
    this.users.clear();
    for (const u of reply.users) this.users.set(u.userId, u);
    this.open = true;
    if (!this.ot) this.firstLoad(reply);
    else if (reply.missed && this.fitsHistory(reply.missed, reply.doc)) this.resync(reply);
    else this.reload(reply);
    this.dropUnconfirmed = false;
    for (const r of [...this.held.keys()]) if (r <= reply.doc.revision) this.held.delete(r);
    for (const [r, h] of this.held) if (h.kind === 'ack') this.held.delete(r);
    this.setStatus('connected');
    this.callbacks.onUsers?.(this.presence);
    this.callbacks.onCursors?.(this.remoteCursors);
    this.drain();
    if (this.ownCursor) this.setCursor(this.ownCursor);
  }

  private firstLoad({ doc }: OpenDocReply): void {
    this.local = this.confirmed = doc.text;
    this.ot = this.makeClient(doc.revision);
    this.callbacks.onLoad?.(doc);
  }

  /**
   * True when `missed` leads from the page's revision and confirmed text to the server's, one
   * operation at a time, with at most its one operation in flight among them. Checked before
   * anything is applied, so that a history that does not fit changes nothing (it reloads instead).
   */
  private fitsHistory(missed: MissedEntry[], doc: DocInfo): boolean {
    const from = this.ot!.revision;
    if (from + missed.length !== doc.revision) return false;
    if (missed.some((m, i) => m.revision !== from + 1 + i)) return false;
    const owned = missed.filter((m) => m.own).length;
    if (owned > (this.ot!.state.kind === 'synchronized' ? 0 : 1)) return false;
    let text = this.confirmed;
    try {
      for (const m of missed) text = m.op.apply(text);
    } catch {
      return false;
    }
    return text === doc.text;
  }

  /** Replays what the page missed; its own operation among them counts as acknowledged. */
  private resync({ doc, missed }: OpenDocReply): void {
    const owned = missed!.some((m) => m.own);
    this.ot!.resync(missed!.map((m) => ({ op: m.op, own: m.own })));
    if (owned) {
      this.outstandingEdits = this.bufferedEdits;
      this.bufferedEdits = 0;
    }
    this.confirmed = doc.text;
  }

  /**
   * Loads the server's text afresh. The unconfirmed edits (an operation on the text the page last
   * had confirmed) are transformed past the change from that text to the server's, so the user's
   * typing survives, and sent again.
   */
  private reload({ doc }: OpenDocReply): void {
    const unconfirmed = this.ot!.reload(doc.revision);
    const theirs = diffOperation(this.confirmed, doc.text);
    let view: TextOperation;
    let mine: TextOperation | null = null;
    if (unconfirmed && !this.dropUnconfirmed) {
      [mine, view] = transform(unconfirmed, theirs);
    } else {
      view = diffOperation(this.local, doc.text);
      if (unconfirmed) this.callbacks.onError?.('Edits the server refused were undone');
    }
    this.confirmed = doc.text;
    this.applyRemote(view);
    this.outstandingEdits = this.bufferedEdits = 0;
    if (mine && !mine.isNoop()) {
      this.outstandingEdits = 1;
      this.ot!.applyClient(mine);
    }
  }

  private makeClient(revision: number): OtClient {
    return new OtClient(revision, {
      sendOperation: (rev, op) => this.sendOperation(rev, op),
      applyOperation: (op) => this.applyRemote(op),
    });
  }

  // ---- operations ----

  /** Sends on an open document only; otherwise the reopen's resync sends it. */
  private sendOperation(revision: number, op: TextOperation): void {
    if (!this.open || !this.socket.connected) return;
    const seq = ++this.sendSeq;
    this.inflight = seq;
    this.socket.emit('op', opPayload(this.docId, revision, op), (reply: unknown) =>
      this.onOpAck(seq, reply),
    );
  }

  private onOpAck(seq: number, reply: unknown): void {
    if (seq !== this.inflight || this.statusValue === 'closed') return;
    const r = reply as { success?: unknown; revision?: unknown } | null;
    if (r && r.success === true && Number.isSafeInteger(r.revision)) {
      this.held.set(r.revision as number, { kind: 'ack', seq });
      this.drain();
      return;
    }
    this.inflight = 0;
    const error = errorOf(reply, 'no reason given');
    // A revision the server cannot rebase from is the page's lag, not the edit's fault: the
    // reopen brings the page up to date and the edit goes again.
    if (revisionError.test(error)) {
      this.reopen();
      return;
    }
    this.callbacks.onError?.(`An edit was refused: ${error}`);
    if (++this.refusals >= maxRefusals) this.dropUnconfirmed = true;
    this.reopen();
  }

  private onOpEvent(raw: unknown): void {
    const m = parseOpEvent(raw);
    if (!m || m.docId !== this.docId || this.statusValue === 'closed') return;
    if (this.ot && m.revision <= this.ot.revision) return; // already applied
    this.held.set(m.revision, { kind: 'op', op: m.op });
    this.drain();
  }

  /** Applies every held event that is next in revision order; watches a gap that remains. */
  private drain(): void {
    const ot = this.ot;
    if (!ot || !this.open) return;
    for (let h = this.held.get(ot.revision + 1); h; h = this.held.get(ot.revision + 1)) {
      this.held.delete(ot.revision + 1);
      if (h.kind === 'op') this.applyServer(h.op);
      else if (h.seq === this.inflight) this.applyAck();
    }
    if (this.held.size === 0) this.stopGapTimer();
    else if (this.gapTimer === null) {
      this.gapTimer = this.timers.setTimeout(() => {
        this.gapTimer = null;
        if (this.held.size > 0) this.reopen();
      }, this.gapTimeoutMs);
    }
  }

  private applyServer(op: TextOperation): void {
    this.confirmed = op.apply(this.confirmed);
    this.ot!.applyServer(op);
  }

  private applyAck(): void {
    const s = this.ot!.state;
    if (s.kind === 'synchronized') return;
    this.confirmed = s.outstanding.apply(this.confirmed);
    this.inflight = 0;
    this.refusals = 0;
    this.outstandingEdits = this.bufferedEdits;
    this.bufferedEdits = 0;
    this.ot!.serverAck();
    this.callbacks.onStatus?.(this.statusValue);
    if (this.cursorDue && this.ot!.state.kind === 'synchronized') this.setCursor(this.ownCursor!);
  }

  /** Another client's operation, transformed for the page's text. */
  private applyRemote(op: TextOperation): void {
    if (op.isNoop()) return;
    this.local = op.apply(this.local);
    this.moveCursors(op);
    this.callbacks.onRemoteChange?.(op);
  }

  // ---- presence and cursors ----

  private moveCursors(op: TextOperation): void {
    if (this.cursors.size === 0) return;
    for (const [id, c] of this.cursors) this.cursors.set(id, { ...c, ...transformCursor(c, op) });
    this.callbacks.onCursors?.(this.remoteCursors);
  }

  private onCursorEvent(raw: unknown): void {
    const c = parseCursorEvent(raw);
    if (!c || c.docId !== this.docId || !this.ot) return;
    const { docId: _ignored, ...cursor } = c;
    void _ignored;
    // The sender counted in the server's text; this page's unconfirmed edits move it here.
    const end = this.confirmed.length;
    cursor.index = Math.min(cursor.index, end);
    if (cursor.selectionEnd !== undefined) cursor.selectionEnd = Math.min(cursor.selectionEnd, end);
    const s = this.ot.state;
    let moved: Cursor = cursor;
    if (s.kind !== 'synchronized') moved = transformCursor(moved, s.outstanding);
    if (s.kind === 'awaitingWithBuffer') moved = transformCursor(moved, s.buffer);
    this.cursors.set(cursor.userId, { ...cursor, ...moved });
    this.callbacks.onCursors?.(this.remoteCursors);
  }

  private onUserJoined(raw: unknown): void {
    const u = parseUser(raw);
    if (!u || toId((raw as { docId?: unknown }).docId) !== this.docId) return;
    this.users.set(u.userId, u);
    this.callbacks.onUsers?.(this.presence);
    // The newcomer has not seen this page's cursor yet; a volatile one could miss it while its
    // connection is still upgrading, so this one goes as `reliable`.
    if (this.ownCursor) {
      this.cursorReliable = true;
      this.setCursor(this.ownCursor);
    }
  }

  private onUserLeft(raw: unknown): void {
    const m = raw as { docId?: unknown; userId?: unknown } | null;
    if (!m || toId(m.docId) !== this.docId) return;
    const userId = toId(m.userId);
    this.users.delete(userId);
    this.callbacks.onUsers?.(this.presence);
    if (this.cursors.delete(userId)) this.callbacks.onCursors?.(this.remoteCursors);
  }

  /**
   * Sent only while nothing is unconfirmed, so that the index is one in the server's text (the
   * others have the operations it counts); otherwise it goes once the edits are confirmed.
   */
  private sendCursor(): void {
    this.cursorTimer = null;
    const c = this.ownCursor;
    this.cursorDue = c !== null;
    if (!c || !this.open || !this.socket.connected || this.ot?.state.kind !== 'synchronized') return;
    this.cursorDue = false;
    this.cursorSentAt = this.timers.now();
    const payload: Record<string, unknown> = { docId: this.docId, index: c.index };
    if (c.selectionEnd !== undefined) payload.selectionEnd = c.selectionEnd;
    if (this.cursorReliable) {
      this.cursorReliable = false;
      this.socket.emit('cursor', { ...payload, reliable: true });
    } else {
      (this.socket.volatile ?? this.socket).emit('cursor', payload);
    }
  }

  // ---- connection ----

  private onDisconnect(): void {
    this.open = false;
    this.asked = false;
    this.inflight = 0;
    this.openSeq++;
    this.stopGapTimer();
    this.setStatus(this.statusValue === 'closed' ? 'closed' : this.ot ? 'reconnecting' : 'connecting');
  }

  private stopGapTimer(): void {
    if (this.gapTimer !== null) this.timers.clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }

  private setStatus(status: SessionStatus): void {
    if (this.statusValue === 'closed') return;
    this.statusValue = status;
    this.callbacks.onStatus?.(status);
  }
}
