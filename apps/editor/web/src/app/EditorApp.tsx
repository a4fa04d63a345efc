// The collaborative editor's page, mounted by the app shell at /editor: the document list, and one
// document at /editor/<docId> (history.pushState, so back and forward work).
import { useCallback, useEffect, useState } from 'react';
import type { Socket } from 'socket.io-client';
import { DocEditor } from './DocEditor';
import { DocList } from './DocList';
import './editor.css';

export interface EditorAppProps {
  /** Connected to the namespace "/editor" (cookie-authenticated, same origin). */
  socket: Socket;
  user: { userId: number; username: string };
  /** Where the shell mounts the page; default "/editor". */
  basePath?: string;
  /** Called when the server answers 401 (the shell's log-out); the page shows the error either way. */
  onUnauthorized?: () => void;
}

/** The document id in `pathname` under `basePath`, or null for the list. */
export function docIdOf(pathname: string, basePath = '/editor'): number | null {
  if (!pathname.startsWith(basePath + '/')) return null;
  const rest = pathname.slice(basePath.length + 1).replace(/\/$/, '');
  return /^\d{1,15}$/.test(rest) ? Number(rest) : null;
}

export function EditorApp({ socket, user, basePath = '/editor', onUnauthorized }: EditorAppProps) {
  const [docId, setDocId] = useState(() => docIdOf(window.location.pathname, basePath));

  useEffect(() => {
    const onPop = () => setDocId(docIdOf(window.location.pathname, basePath));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [basePath]);

  const go = useCallback(
    (id: number | null) => {
      const path = id === null ? basePath : `${basePath}/${id}`;
      if (window.location.pathname !== path) window.history.pushState(null, '', path);
      setDocId(id);
    },
    [basePath],
  );

  return (
    <div className="ed-app">
      {docId === null ? (
        <DocList onOpen={go} onUnauthorized={onUnauthorized} />
      ) : (
        <DocEditor key={docId} socket={socket} docId={docId} userId={user.userId} onBack={() => go(null)} />
      )}
    </div>
  );
}
