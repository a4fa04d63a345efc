// Two editing views of one document side by side, on the in-memory server of the unit tests:
// each message is delivered after a random delay (in order on each connection, as from one
// node), and each side can drop its connection. For looking at the page (cursors, presence, the
// status line) without the C++ server.
// Run: npm run harness (in apps/editor/web).
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { DocEditor } from '../src/app/DocEditor';
import 'sio-common-web/base.css';
import '../src/app/editor.css';
import { Random } from '../src/ot/random';
import { ClientSocket, ScriptedServer } from '../src/session/scriptedServer';

const text = 'Two views of one document.\nType in both.\n';
const server = new ScriptedServer(new Random(1), 1, text, 50, true);
// Each delivery waits a random while, so that the views run behind each other.
const deliver = () => setTimeout(() => (server.step(), deliver()), 5 + Math.random() * 60);
deliver();

function Pane({ userId }: { userId: number }) {
  const [socket] = useState(() => new ClientSocket(server, userId));
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    socket.connect();
    setConnected(true);
  }, [socket]);
  const toggle = () => {
    if (socket.connected) socket.disconnect();
    else socket.connect();
    setConnected(socket.connected);
  };
  return (
    <div className="pane">
      <div className="bar">
        <strong>user{userId}</strong>
        <button type="button" onClick={toggle}>
          {connected ? 'Drop the connection' : 'Reconnect'}
        </button>
      </div>
      <div className="ed-app">
        <DocEditor socket={socket} docId={1} userId={userId} onBack={() => {}} />
      </div>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <div className="harness">
    <p>One document, two users, a server in this page with slow delivery: drop a connection, type on both sides, reconnect.</p>
    <Pane userId={1} />
    <Pane userId={2} />
  </div>,
);
