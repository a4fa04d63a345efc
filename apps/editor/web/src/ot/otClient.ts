// The client side of the editor's protocol, ot.js's client state machine: at most one operation
// is in flight to the server (outstanding); local edits made meanwhile are composed into one
// buffer, sent when the outstanding one is acknowledged. Operations from the server are
// transformed past what the server has not seen yet before they are applied locally.
import { compose, transform, TextOperation } from './textOperation';

export interface OtClientCallbacks {
  /** Send `op`, based on the server's document at `revision` (the `op` event). */
  sendOperation(revision: number, op: TextOperation): void;
  /** Apply an operation from the server to the local document. */
  applyOperation(op: TextOperation): void;
}

export type OtClientState =
  | { kind: 'synchronized' }
  | { kind: 'awaitingConfirm'; outstanding: TextOperation }
  | { kind: 'awaitingWithBuffer'; outstanding: TextOperation; buffer: TextOperation };

/** An operation the server accepted while this client was away (see OtClient.resync). */
export interface MissedOperation {
  op: TextOperation;
  /** True for this client's own outstanding operation, whose acknowledgement was lost. */
  own: boolean;
}

const synchronized: OtClientState = { kind: 'synchronized' };

export class OtClient {
  private current: OtClientState = synchronized;

  /** `revision`: the server's revision of the document this client starts from. */
  constructor(
    public revision: number,
    private readonly callbacks: OtClientCallbacks,
  ) {}

  get state(): OtClientState {
    return this.current;
  }

  /** A local edit, already applied to the local document. */
  applyClient(op: TextOperation): void {
    const s = this.current;
    if (s.kind === 'synchronized') {
      this.callbacks.sendOperation(this.revision, op);
      this.current = { kind: 'awaitingConfirm', outstanding: op };
    } else if (s.kind === 'awaitingConfirm') {
      this.current = { kind: 'awaitingWithBuffer', outstanding: s.outstanding, buffer: op };
    } else {
      this.current = { ...s, buffer: compose(s.buffer, op) };
    }
  }

  /** Another client's operation, as the server broadcast it. */
  applyServer(op: TextOperation): void {
    this.revision++;
    const s = this.current;
    if (s.kind === 'synchronized') {
      this.callbacks.applyOperation(op);
    } else if (s.kind === 'awaitingConfirm') {
      const [outstanding, theirs] = transform(s.outstanding, op);
      this.callbacks.applyOperation(theirs);
      this.current = { kind: 'awaitingConfirm', outstanding };
    } else {
      const [outstanding, theirs] = transform(s.outstanding, op);
      const [buffer, theirs2] = transform(s.buffer, theirs);
      this.callbacks.applyOperation(theirs2);
      this.current = { kind: 'awaitingWithBuffer', outstanding, buffer };
    }
  }

  /** The server accepted the outstanding operation (`{success: true}`). */
  serverAck(): void {
    this.acknowledge();
    if (this.current.kind === 'awaitingConfirm') {
      this.callbacks.sendOperation(this.revision, this.current.outstanding);
    }
  }

  /**
   * After a reconnect: the operations the server accepted since `revision`, in order. The client's
   * own outstanding operation among them (its ack was lost) counts as acknowledged; the others are
   * applied as applyServer does. Whatever is still unconfirmed is then sent again, rebased on the
   * server's current revision.
   */
  resync(missed: readonly MissedOperation[]): void {
    for (const m of missed) {
      if (m.own) this.acknowledge();
      else this.applyServer(m.op);
    }
    const s = this.current;
    if (s.kind !== 'synchronized') this.callbacks.sendOperation(this.revision, s.outstanding);
  }

  /**
   * When the client is too far behind to resync (the server no longer has its revision): the
   * caller loads the server's document at `revision` afresh. Returns the local edits that were
   * not confirmed (one operation on the old document), or null, and starts over synchronized.
   */
  reload(revision: number): TextOperation | null {
    const s = this.current;
    this.current = synchronized;
    this.revision = revision;
    if (s.kind === 'synchronized') return null;
    return s.kind === 'awaitingConfirm' ? s.outstanding : compose(s.outstanding, s.buffer);
  }

  /** Moves to the next state on an acknowledgement; the buffer becomes outstanding, unsent. */
  private acknowledge(): void {
    const s = this.current;
    if (s.kind === 'synchronized') throw new Error('OtClient: acknowledgement with nothing pending');
    this.revision++;
    this.current =
      s.kind === 'awaitingConfirm' ? synchronized : { kind: 'awaitingConfirm', outstanding: s.buffer };
  }
}
