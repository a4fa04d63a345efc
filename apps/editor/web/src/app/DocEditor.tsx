// One document in CodeMirror, kept in step with the others through a DocSession.
import { useEffect, useRef, useState } from 'react';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { DocSession, type PresenceUser, type SessionSocket, type SessionStatus } from '../session';
import { clientId } from './clientId';
import {
  changesToOperation,
  exactText,
  remoteChange,
  remoteCursors,
  remoteTransaction,
  safeColor,
  setRemoteCursors,
} from './codemirror';

export interface DocEditorProps {
  socket: SessionSocket;
  docId: number;
  userId: number;
  onBack: () => void;
}

/** Follows the browser's idea of being online, for the status line. */
function useOnline(): boolean {
  const [online, setOnline] = useState(() => typeof navigator === 'undefined' || navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function statusText(status: SessionStatus, online: boolean, unconfirmed: number): string {
  if (status === 'closed') return 'Closed';
  if (!online) return `Offline · ${plural(unconfirmed, 'unsent edit')}`;
  if (status === 'connected') {
    return unconfirmed ? `Connected · saving ${plural(unconfirmed, 'edit')}` : 'Connected · all changes saved';
  }
  if (status === 'connecting') return 'Connecting…';
  return `Reconnecting · ${plural(unconfirmed, 'unsent edit')}`;
}

/** Creates the editor view for a loaded session; local edits and selections go to the session. */
function createView(parent: HTMLElement, session: DocSession, title: string): EditorView {
  const listener = EditorView.updateListener.of((update) => {
    let local = false;
    for (const tr of update.transactions) {
      if (tr.annotation(remoteChange)) continue;
      local = true;
      if (tr.docChanged) session.applyLocal(changesToOperation(tr.changes));
    }
    if (local && (update.selectionSet || update.docChanged)) {
      const sel = update.state.selection.main;
      session.setCursor(sel.empty ? { index: sel.head } : { index: sel.head, selectionEnd: sel.anchor });
    }
  });
  const state = EditorState.create({
    doc: session.text,
    extensions: [
      exactText,
      history(),
      keymap.of([...defaultKeymap, ...historyKeymap]),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ 'aria-label': `Text of ${title || 'the document'}` }),
      remoteCursors,
      listener,
    ],
  });
  return new EditorView({ state, parent });
}

export function DocEditor({ socket, docId, userId, onBack }: DocEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const [title, setTitle] = useState('');
  const [loaded, setLoaded] = useState(false);
  const [status, setStatus] = useState<SessionStatus>('connecting');
  const [unconfirmed, setUnconfirmed] = useState(0);
  const [users, setUsers] = useState<PresenceUser[]>([]);
  const [error, setError] = useState<string | null>(null);
  const online = useOnline();

  useEffect(() => {
    let view: EditorView | null = null;
    let cursorsQueued = false;
    // Cursors change inside the editor's own updates too; they are drawn once that update is over.
    const drawCursors = () => {
      if (cursorsQueued) return;
      cursorsQueued = true;
      queueMicrotask(() => {
        cursorsQueued = false;
        view?.dispatch({ effects: setRemoteCursors.of(session.remoteCursors) });
      });
    };
    const session: DocSession = new DocSession(
      socket,
      { docId, clientId },
      {
        onLoad: (doc) => {
          setTitle(doc.title);
          setLoaded(true);
          view = createView(host.current!, session, doc.title);
          view.focus();
          session.setCursor({ index: view.state.selection.main.head });
        },
        onRemoteChange: (op) => view?.dispatch(remoteTransaction(op)),
        onUsers: setUsers,
        onCursors: drawCursors,
        onStatus: (s) => {
          setStatus(s);
          setUnconfirmed(session.unconfirmedEdits);
          if (session.docTitle) setTitle(session.docTitle);
        },
        onError: setError,
      },
    );
    return () => {
      session.close();
      view?.destroy();
      view = null;
    };
  }, [socket, docId]);

  return (
    <section className="ed-doc-view" aria-labelledby="ed-doc-title">
      <header className="ed-doc-header">
        <button type="button" className="btn btn-ghost" onClick={onBack}>
          ← Documents
        </button>
        <h1 id="ed-doc-title">{title || (loaded ? 'Untitled' : 'Opening…')}</h1>
        <ul className="ed-presence" aria-label="Editing now">
          {users.map((u) => (
            <li key={u.userId} style={{ ['--user-color' as string]: safeColor(u.color) }}>
              <span className="ed-presence-dot" aria-hidden="true" />
              {u.username}
              {u.userId === userId && <span className="ed-muted"> (you)</span>}
            </li>
          ))}
        </ul>
      </header>
      {error && (
        <p className="ed-alert" role="alert">
          {error}
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setError(null)}>
            Dismiss
          </button>
        </p>
      )}
      {!loaded && !error && <p className="ed-muted pad">Loading the document…</p>}
      <div className="ed-editor" ref={host} />
      <footer className={`ed-status ed-status-${online ? status : 'reconnecting'}`} role="status" aria-live="polite">
        <span className="ed-status-dot" aria-hidden="true" />
        {statusText(status, online, unconfirmed)}
      </footer>
    </section>
  );
}
