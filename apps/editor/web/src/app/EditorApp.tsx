// The collaborative editor's page, mounted by the app shell at /editor: the document list, and one
// document at /editor/<docId> (history.pushState, so back and forward work).
import { useIdRoute } from 'sio-common-web';
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

export function EditorApp({ socket, user, basePath = '/editor', onUnauthorized }: EditorAppProps) {
  const [docId, go] = useIdRoute(basePath);

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
