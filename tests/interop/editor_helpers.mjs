// Helpers of the editor contract tests (namespace /editor of sio-chat): a socket.io-client on
// /editor, and a small client of the editor's protocol following ot.js: TextOperation (apply,
// compose, transform) and the client's states synchronized / awaitingConfirm(outstanding) /
// awaitingWithBuffer(outstanding, buffer), applying the server's events in revision order.
import { request, connectAs, closeSockets } from "./chat_helpers.mjs";

/** A socket on /editor authenticated as `user`; resolves once connected. */
export function connectEditor(server, user, options = {}) {
  return connectAs(server, user, options, "/editor");
}

export const closeEditorSockets = closeSockets;

const isRetain = (op) => typeof op === "number" && op > 0;
const isInsert = (op) => typeof op === "string";
const isDelete = (op) => typeof op === "number" && op < 0;

/** ot.js's TextOperation: lengths in UTF-16 units, as JavaScript strings count them. */
export class TextOperation {
  constructor() {
    this.ops = [];
    this.baseLength = 0;
    this.targetLength = 0;
  }
  static fromJSON(ops) {
    const o = new TextOperation();
    for (const c of ops) {
      if (isRetain(c)) o.retain(c);
      else if (isInsert(c)) o.insert(c);
      else if (isDelete(c)) o.delete(c);
      else throw new Error(`invalid component ${JSON.stringify(c)}`);
    }
    return o;
  }
  toJSON() {
    return this.ops;
  }
  retain(n) {
    if (n === 0) return this;
    this.baseLength += n;
    this.targetLength += n;
    if (isRetain(this.ops.at(-1))) this.ops[this.ops.length - 1] += n;
    else this.ops.push(n);
    return this;
  }
  insert(s) {
    if (s === "") return this;
    this.targetLength += s.length;
    const ops = this.ops;
    if (isInsert(ops.at(-1))) {
      ops[ops.length - 1] += s;
    } else if (isDelete(ops.at(-1))) {
      // An insert goes before a delete at the same place.
      if (isInsert(ops.at(-2))) ops[ops.length - 2] += s;
      else ops.splice(ops.length - 1, 0, s);
    } else {
      ops.push(s);
    }
    return this;
  }
  delete(n) {
    if (n === 0) return this;
    if (n > 0) n = -n;
    this.baseLength -= n;
    if (isDelete(this.ops.at(-1))) this.ops[this.ops.length - 1] += n;
    else this.ops.push(n);
    return this;
  }
  apply(str) {
    if (str.length !== this.baseLength) throw new Error("base length mismatch");
    const parts = [];
    let j = 0;
    for (const op of this.ops) {
      if (isRetain(op)) {
        parts.push(str.slice(j, j + op));
        j += op;
      } else if (isInsert(op)) {
        parts.push(op);
      } else {
        j -= op;
      }
    }
    return parts.join("");
  }
}

/** One operation doing a then b. */
export function compose(a, b) {
  if (a.targetLength !== b.baseLength) throw new Error("compose: length mismatch");
  const out = new TextOperation();
  const ops1 = a.ops, ops2 = b.ops;
  let i1 = 0, i2 = 0, o1 = ops1[i1++], o2 = ops2[i2++];
  for (;;) {
    if (o1 === undefined && o2 === undefined) return out;
    if (isDelete(o1)) { out.delete(o1); o1 = ops1[i1++]; continue; }
    if (isInsert(o2)) { out.insert(o2); o2 = ops2[i2++]; continue; }
    if (o1 === undefined || o2 === undefined) throw new Error("compose: too short");
    if (isRetain(o1) && isRetain(o2)) {
      if (o1 > o2) { out.retain(o2); o1 -= o2; o2 = ops2[i2++]; }
      else if (o1 === o2) { out.retain(o1); o1 = ops1[i1++]; o2 = ops2[i2++]; }
      else { out.retain(o1); o2 -= o1; o1 = ops1[i1++]; }
    } else if (isInsert(o1) && isDelete(o2)) {
      if (o1.length > -o2) { o1 = o1.slice(-o2); o2 = ops2[i2++]; }
      else if (o1.length === -o2) { o1 = ops1[i1++]; o2 = ops2[i2++]; }
      else { o2 += o1.length; o1 = ops1[i1++]; }
    } else if (isInsert(o1) && isRetain(o2)) {
      if (o1.length > o2) { out.insert(o1.slice(0, o2)); o1 = o1.slice(o2); o2 = ops2[i2++]; }
      else if (o1.length === o2) { out.insert(o1); o1 = ops1[i1++]; o2 = ops2[i2++]; }
      else { out.insert(o1); o2 -= o1.length; o1 = ops1[i1++]; }
    } else {  // retain then delete
      if (o1 > -o2) { out.delete(o2); o1 += o2; o2 = ops2[i2++]; }
      else if (o1 === -o2) { out.delete(o2); o1 = ops1[i1++]; o2 = ops2[i2++]; }
      else { out.delete(o1); o2 += o1; o1 = ops1[i1++]; }
    }
  }
}

/** [a', b'] for concurrent a and b; a's inserts go first at a tie. */
export function transform(a, b) {
  if (a.baseLength !== b.baseLength) throw new Error("transform: length mismatch");
  const p1 = new TextOperation(), p2 = new TextOperation();
  const ops1 = a.ops, ops2 = b.ops;
  let i1 = 0, i2 = 0, o1 = ops1[i1++], o2 = ops2[i2++];
  for (;;) {
    if (o1 === undefined && o2 === undefined) return [p1, p2];
    if (isInsert(o1)) { p1.insert(o1); p2.retain(o1.length); o1 = ops1[i1++]; continue; }
    if (isInsert(o2)) { p1.retain(o2.length); p2.insert(o2); o2 = ops2[i2++]; continue; }
    if (o1 === undefined || o2 === undefined) throw new Error("transform: too short");
    let min;
    if (isRetain(o1) && isRetain(o2)) {
      if (o1 > o2) { min = o2; o1 -= o2; o2 = ops2[i2++]; }
      else if (o1 === o2) { min = o2; o1 = ops1[i1++]; o2 = ops2[i2++]; }
      else { min = o1; o2 -= o1; o1 = ops1[i1++]; }
      p1.retain(min);
      p2.retain(min);
    } else if (isDelete(o1) && isDelete(o2)) {
      if (-o1 > -o2) { o1 -= o2; o2 = ops2[i2++]; }
      else if (o1 === o2) { o1 = ops1[i1++]; o2 = ops2[i2++]; }
      else { o2 -= o1; o1 = ops1[i1++]; }
    } else if (isDelete(o1) && isRetain(o2)) {
      if (-o1 > o2) { min = o2; o1 += o2; o2 = ops2[i2++]; }
      else if (-o1 === o2) { min = o2; o1 = ops1[i1++]; o2 = ops2[i2++]; }
      else { min = -o1; o2 += o1; o1 = ops1[i1++]; }
      p1.delete(min);
    } else {  // retain against delete
      if (o1 > -o2) { min = -o2; o1 += o2; o2 = ops2[i2++]; }
      else if (o1 === -o2) { min = o1; o1 = ops1[i1++]; o2 = ops2[i2++]; }
      else { min = o1; o2 += o1; o1 = ops1[i1++]; }
      p2.delete(min);
    }
  }
}

/**
 * One editor of a document: local edits go to the server one at a time (ot.js's client), the
 * server's operations and acknowledgements are applied in revision order. `errors` collects
 * refusals, which a converging test expects to stay empty.
 */
export class EditorClient {
  constructor(socket, docId, clientId) {
    this.socket = socket;
    this.docId = docId;
    this.clientId = clientId;
    this.text = "";
    this.revision = 0;
    this.outstanding = null;
    this.buffer = null;
    this.pending = new Map();  // revision -> {ops} (another's operation) or {ack: true}
    this.errors = [];
    socket.on("op", (e) => {
      if (e.docId !== this.docId) return;
      this.pending.set(e.revision, { ops: e.ops });
      this.drain();
    });
  }
  async open() {
    const ack = await request(this.socket, "openDoc", { docId: this.docId, clientId: this.clientId });
    if (!ack.success) throw new Error(`openDoc: ${ack.error}`);
    this.text = ack.doc.text;
    this.revision = ack.doc.revision;
    for (const r of [...this.pending.keys()]) if (r <= this.revision) this.pending.delete(r);
    this.drain();
    return ack;
  }
  get synchronized() {
    return this.outstanding === null && this.buffer === null;
  }
  edit(op) {
    this.text = op.apply(this.text);
    if (this.outstanding === null) {
      this.outstanding = op;
      this.send(op);
    } else {
      this.buffer = this.buffer === null ? op : compose(this.buffer, op);
    }
  }
  send(op) {
    this.socket.emit("op", { docId: this.docId, revision: this.revision, ops: op.toJSON() }, (ack) => {
      if (!ack?.success) {
        this.errors.push(ack?.error ?? "no answer");
        return;
      }
      this.pending.set(ack.revision, { ack: true });
      this.drain();
    });
  }
  drain() {
    for (let next = this.pending.get(this.revision + 1); next; next = this.pending.get(this.revision + 1)) {
      this.pending.delete(this.revision + 1);
      this.revision += 1;
      if (next.ack) {
        this.outstanding = this.buffer;
        this.buffer = null;
        if (this.outstanding) this.send(this.outstanding);
      } else {
        this.applyServer(TextOperation.fromJSON(next.ops));
      }
    }
  }
  applyServer(op) {
    if (this.outstanding) {
      const [outstanding, op1] = transform(this.outstanding, op);
      this.outstanding = outstanding;
      op = op1;
      if (this.buffer) {
        const [buffer, op2] = transform(this.buffer, op);
        this.buffer = buffer;
        op = op2;
      }
    }
    this.text = op.apply(this.text);
  }
}

/** Indexes of `text` that do not fall inside a surrogate pair. */
function boundaries(text) {
  const out = [];
  for (let i = 0; i <= text.length; ++i) {
    const c = text.charCodeAt(i - 1);
    if (i === 0 || i === text.length || !(c >= 0xd800 && c <= 0xdbff)) out.push(i);
  }
  return out;
}

/**
 * A random small edit of `text` that keeps characters whole: an insert of 1-3 characters or a
 * delete of 1-3.
 */
export function randomEdit(text, rnd = Math.random) {
  const b = boundaries(text);
  const k = Math.floor(rnd() * b.length);
  const op = new TextOperation().retain(b[k]);
  if (k + 1 < b.length && rnd() < 0.35) {
    const end = b[Math.min(b.length - 1, k + 1 + Math.floor(rnd() * 3))];
    op.delete(end - b[k]).retain(text.length - end);
  } else {
    const alphabet = [..."abcdefghijklmnopqrstuvwxyz\u00e9\u{1F600} "];
    let s = "";
    for (let i = 1 + Math.floor(rnd() * 3); i > 0; --i) {
      s += alphabet[Math.floor(rnd() * alphabet.length)];
    }
    op.insert(s).retain(text.length - b[k]);
  }
  return op;
}
