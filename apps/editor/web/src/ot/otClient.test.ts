// The client state machine: its transitions, then a simulated server with clients editing
// concurrently over connections that deliver late (and sometimes drop, for the resync path).
import { describe, expect, it } from 'vitest';
import { OtClient, type MissedOperation } from './otClient';
import { Random } from './random';
import { TextOperation, transform } from './textOperation';

const op = (json: unknown) => TextOperation.fromJSON(json);

function recorder(revision = 0) {
  const sent: [number, unknown][] = [];
  const applied: unknown[] = [];
  const client = new OtClient(revision, {
    sendOperation: (r, o) => sent.push([r, o.toJSON()]),
    applyOperation: (o) => applied.push(o.toJSON()),
  });
  return { client, sent, applied };
}

describe('OtClient states', () => {
  it('sends at once when synchronized, buffers while awaiting', () => {
    const { client, sent } = recorder(3);
    client.applyClient(op(['a']));
    expect(client.state.kind).toBe('awaitingConfirm');
    expect(sent).toEqual([[3, ['a']]]);
    client.applyClient(op([1, 'b']));
    client.applyClient(op([2, 'c']));
    expect(client.state.kind).toBe('awaitingWithBuffer');
    expect(sent.length).toBe(1);
    client.serverAck();
    expect(client.revision).toBe(4);
    expect(sent[1]).toEqual([4, [1, 'bc']]); // the buffer, composed
    client.serverAck();
    expect(client.state.kind).toBe('synchronized');
    expect(client.revision).toBe(5);
  });

  it('transforms server operations past the outstanding and the buffer', () => {
    const { client, applied } = recorder();
    client.applyClient(op([1, 'x', 1])); // local: "axb" from "ab"
    client.applyClient(op([3, 'y'])); // local: "axby"
    client.applyServer(op(['S', 2])); // server: "Sab"
    expect(applied).toEqual([['S', 4]]);
    const s = client.state;
    expect(s.kind).toBe('awaitingWithBuffer');
    if (s.kind === 'awaitingWithBuffer') {
      expect(s.outstanding.toJSON()).toEqual([2, 'x', 1]);
      expect(s.buffer.toJSON()).toEqual([4, 'y']);
    }
    expect(client.revision).toBe(1);
  });

  it('applies server operations directly when synchronized', () => {
    const { client, applied } = recorder();
    client.applyServer(op(['hi']));
    expect(applied).toEqual([['hi']]);
    expect(client.revision).toBe(1);
  });

  it('refuses an acknowledgement with nothing pending', () => {
    expect(() => recorder().client.serverAck()).toThrow();
  });

  it('resync: a lost ack counts, later operations transform, the rest is resent', () => {
    const { client, sent, applied } = recorder();
    client.applyClient(op(['a'])); // outstanding
    client.applyClient(op([1, 'b'])); // buffer
    const missed: MissedOperation[] = [
      { op: op(['a']), own: true },
      { op: op(['Z', 1]), own: false },
    ];
    client.resync(missed);
    expect(client.revision).toBe(2);
    expect(applied).toEqual([['Z', 2]]);
    expect(sent.at(-1)).toEqual([2, [2, 'b']]);
    expect(client.state.kind).toBe('awaitingConfirm');
  });

  it('resync without its own op resends the outstanding one, transformed', () => {
    const { client, sent } = recorder();
    client.applyClient(op(['a']));
    client.resync([{ op: op(['Z']), own: false }]);
    expect(sent.at(-1)).toEqual([1, ['a', 1]]);
  });

  it('reload returns the unconfirmed edits and starts over', () => {
    const { client } = recorder();
    client.applyClient(op(['a']));
    client.applyClient(op([1, 'b']));
    expect(client.reload(40)?.toJSON()).toEqual(['ab']);
    expect(client.state.kind).toBe('synchronized');
    expect(client.revision).toBe(40);
    expect(client.reload(41)).toBeNull();
  });
});

// ---- simulation ----

type Message =
  | { type: 'op'; revision: number; op: TextOperation } // client -> server
  | { type: 'ack' } // server -> client
  | { type: 'remote'; op: TextOperation }; // server -> client

interface Accepted {
  op: TextOperation;
  origin: number;
}

class Server {
  doc: string;
  log: Accepted[] = []; // log[r] took revision r to r + 1
  constructor(doc: string) {
    this.doc = doc;
  }
  receive(origin: number, revision: number, incoming: TextOperation): TextOperation {
    let o = incoming;
    for (const a of this.log.slice(revision)) o = transform(o, a.op)[0];
    this.doc = o.apply(this.doc);
    this.log.push({ op: o, origin });
    return o;
  }
}

class SimClient {
  doc: string;
  ot: OtClient;
  up: Message[] = [];
  constructor(
    doc: string,
    readonly id: number,
  ) {
    this.doc = doc;
    this.ot = new OtClient(0, {
      sendOperation: (revision, op) => this.up.push({ type: 'op', revision, op }),
      applyOperation: (op) => (this.doc = op.apply(this.doc)),
    });
  }
  edit(r: Random): void {
    const op = r.operation(this.doc);
    this.doc = op.apply(this.doc);
    this.ot.applyClient(op);
  }
}

function simulate(seed: number, clients: number, steps: number, dropRate: number) {
  const r = new Random(seed);
  const start = r.text(10);
  const server = new Server(start);
  const sims = Array.from({ length: clients }, (_, i) => new SimClient(start, i));
  const down: Message[][] = sims.map(() => []);
  const stats = { transformed: 0, lostAcks: 0 };

  const deliverUp = (c: SimClient) => {
    const m = c.up.shift();
    if (m?.type !== 'op') return;
    const accepted = server.receive(c.id, m.revision, m.op);
    if (m.revision < server.log.length - 1) stats.transformed++;
    down.forEach((q, i) => q.push(i === c.id ? { type: 'ack' } : { type: 'remote', op: accepted }));
  };
  const deliverDown = (c: SimClient) => {
    const m = down[c.id].shift();
    if (m?.type === 'ack') c.ot.serverAck();
    else if (m?.type === 'remote') c.ot.applyServer(m.op);
  };
  // A dropped connection loses what is in flight both ways; the client then catches up.
  const reconnect = (c: SimClient) => {
    c.up.length = 0;
    down[c.id].length = 0;
    const missed = server.log
      .slice(c.ot.revision)
      .map((a) => ({ op: a.op, own: a.origin === c.id && c.ot.state.kind !== 'synchronized' }));
    stats.lostAcks += missed.filter((m) => m.own).length;
    c.ot.resync(missed);
  };

  for (let step = 0; step < steps; step++) {
    const c = sims[r.below(clients)];
    const action = r.below(10);
    if (action < 3) c.edit(r);
    else if (action < 6) deliverUp(c);
    else if (r.next() < dropRate) reconnect(c);
    else deliverDown(c);
  }
  // Drain: deliver until nothing is in flight.
  while (sims.some((c) => c.up.length > 0 || down[c.id].length > 0)) {
    for (const c of sims) {
      deliverUp(c);
      deliverDown(c);
    }
  }
  return { server, sims, stats };
}

describe('simulated server and clients', () => {
  for (const [clients, dropRate] of [
    [2, 0],
    [3, 0],
    [2, 0.05],
    [3, 0.05],
  ] as const) {
    it(`${clients} clients converge (drop rate ${dropRate})`, () => {
      const total = { transformed: 0, lostAcks: 0 };
      for (let seed = 1; seed <= 40; seed++) {
        const { server, sims, stats } = simulate(seed * 7919 + clients, clients, 300, dropRate);
        total.transformed += stats.transformed;
        total.lostAcks += stats.lostAcks;
        for (const c of sims) {
          expect(c.doc, `seed ${seed} client ${c.id}`).toBe(server.doc);
          expect(c.ot.state.kind).toBe('synchronized');
          expect(c.ot.revision).toBe(server.log.length);
        }
      }
      // The runs exercised what they are for: concurrent operations, and lost acknowledgements.
      expect(total.transformed).toBeGreaterThan(0);
      if (dropRate > 0) expect(total.lostAcks).toBeGreaterThan(0);
    });
  }
});
