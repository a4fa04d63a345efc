// DocSession over real Socket.IO connections (socket.io-client to a Node socket.io server whose
// "/editor" namespace hands every message to the in-memory server of the protocol): the
// client's own events, acks and reconnection drive the session, and dropped transports reconnect.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { TextOperation } from '../ot';
import { Random } from '../ot/random';
import { DocSession } from './docSession';
import { ScriptedServer, type Peer } from './scriptedServer';

/** Serves the namespace "/editor" from a ScriptedServer; each connection is a user of its own. */
async function listen(scripted: ScriptedServer): Promise<{ url: string; close: () => Promise<void> }> {
  const http: HttpServer = createServer();
  const server = new Server(http);
  let nextUser = 1;
  server.of('/editor').on('connection', (socket) => {
    const peer: Peer = {
      userId: nextUser++,
      receive: (_conn, event, payload) => socket.emit(event, payload),
      receiveAck: (_conn, ack, reply) => ack(reply),
    };
    const conn = scripted.connect(peer);
    socket.onAny((event: string, payload: unknown, ack?: (r: unknown) => void) =>
      scripted.send(conn, () => scripted.handle(conn, event, payload, ack), true),
    );
    socket.on('disconnect', () => scripted.drop(conn));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/editor`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `done`, up to a generous deadline; returns whether it came. */
async function eventually(done: () => boolean, deadlineMs = 15_000): Promise<boolean> {
  for (const end = Date.now() + deadlineMs; !done() && Date.now() < end; ) await wait(10);
  return done();
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('DocSession over socket.io-client', () => {
  it('two pages converge, one of them typing through a dropped transport', async () => {
    const scripted = new ScriptedServer(new Random(3), 1, 'Notes: ', 50, true);
    const pump = setInterval(() => {
      while (scripted.step());
    }, 2);
    cleanups.push(() => clearInterval(pump));
    const server = await listen(scripted);
    cleanups.push(server.close);
    const sockets: Socket[] = [0, 1].map(() =>
      io(server.url, { transports: ['websocket'], reconnectionDelay: 20, reconnectionDelayMax: 50 }),
    );
    cleanups.push(() => sockets.forEach((s) => s.disconnect()));
    const errors: string[] = [];
    const sessions = sockets.map(
      (s, k) => new DocSession(s, { docId: 1, clientId: `page-${k}` }, { onError: (e) => errors.push(e) }),
    );
    expect(await eventually(() => sessions.every((s) => s.loaded))).toBe(true);

    const type = (k: number, text: string) => {
      const s = sessions[k];
      s.applyLocal(new TextOperation().retain(s.text.length).insert(text));
    };
    for (let i = 0; i < 20; i++) {
      type(0, 'a');
      type(1, 'b');
      await wait(1);
    }
    // The transport drops (socket.io-client says so at once, and reconnects by itself later):
    // what is typed meanwhile waits.
    sockets[0].io.engine.close();
    expect(sessions[0].status).toBe('reconnecting');
    for (let i = 0; i < 10; i++) {
      type(0, 'A');
      type(1, 'B');
    }
    expect(sessions[0].unconfirmedEdits).toBeGreaterThanOrEqual(10);

    const converged = () => sessions.every((s) => s.settled && s.text === scripted.text);
    expect(await eventually(converged)).toBe(true);
    const count = (c: string) => scripted.text.split('').filter((x) => x === c).length;
    expect([count('a'), count('b'), count('A'), count('B')]).toEqual([20, 20, 10, 10]);
    expect(errors).toEqual([]);
    expect(sessions.map((s) => s.presence.length)).toEqual([2, 2]);
  });
});
