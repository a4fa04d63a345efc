import { useId, useState, type FormEvent } from 'react';
import { ApiError } from 'sio-common-web';
import { api } from '../api';
import { useChat } from '../context';
import { sameId, type Id, type Room } from '../types';
import { HashIcon, LockIcon, PlusIcon } from './Icons';

interface Props {
  rooms: Room[];
  loading: boolean;
  error: string | null;
  selectedId: Id | null;
  onSelect: (room: Room) => void;
  onCreated: (room: Room) => void;
  /** Leave a private room (it then disappears from the list). */
  onLeave?: (room: Room) => void;
}

export function RoomList({ rooms, loading, error, selectedId, onSelect, onCreated, onLeave }: Props) {
  const [creating, setCreating] = useState(false);
  const publicRooms = rooms.filter((r) => !r.private);
  const privateRooms = rooms.filter((r) => r.private);

  const renderGroup = (title: string, list: Room[]) =>
    list.length > 0 && (
      <section className="room-group" aria-label={title}>
        <h3 className="room-group-title">{title}</h3>
        <ul className="room-items">
          {list.map((r) => {
            const current = sameId(r.roomId, selectedId);
            return (
              <li key={String(r.roomId)}>
                <button
                  type="button"
                  className={`room-item${current ? ' is-current' : ''}`}
                  data-testid="room-item"
                  data-room-id={String(r.roomId)}
                  data-room-name={r.name}
                  data-private={r.private ? 'true' : 'false'}
                  aria-current={current ? 'page' : undefined}
                  onClick={() => onSelect(r)}
                >
                  <span className="room-icon">{r.private ? <LockIcon /> : <HashIcon />}</span>
                  <span className="room-name">{r.name}</span>
                  {r.private && <span className="visually-hidden"> (private)</span>}
                </button>
                {r.private && onLeave && (
                  <button
                    type="button"
                    className="btn btn-small btn-ghost room-leave"
                    data-testid="leave-room"
                    aria-label={`Leave ${r.name}`}
                    title="Leave this room"
                    onClick={() => onLeave(r)}
                  >
                    Leave
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      </section>
    );

  return (
    <nav className="sidebar-rooms" aria-label="Rooms" data-testid="room-list">
      <div className="sidebar-head">
        <h2>Rooms</h2>
        <button
          type="button"
          className="btn btn-small btn-ghost"
          data-testid="new-room-button"
          aria-expanded={creating}
          aria-controls="create-room-panel"
          onClick={() => setCreating((v) => !v)}
        >
          {creating ? 'Close' : (
            <>
              <PlusIcon /> New room
            </>
          )}
        </button>
      </div>
      {creating && (
        <div id="create-room-panel">
          <CreateRoomForm
            onCreated={(room) => {
              setCreating(false);
              onCreated(room);
            }}
            onCancel={() => setCreating(false)}
          />
        </div>
      )}
      {loading && rooms.length === 0 && (
        <p className="muted pad" data-testid="rooms-loading">
          Loading rooms…
        </p>
      )}
      {error && (
        <p className="alert alert-error pad" role="alert" data-testid="rooms-error">
          {error}
        </p>
      )}
      {!loading && !error && rooms.length === 0 && (
        <p className="muted pad" data-testid="rooms-empty">
          No rooms yet — create the first one.
        </p>
      )}
      {renderGroup('Public', publicRooms)}
      {renderGroup('Private', privateRooms)}
    </nav>
  );
}

export function parseMembers(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(/[\s,;]+/)) {
    const name = part.trim().replace(/^@/, '');
    if (name) seen.add(name);
  }
  return [...seen];
}

function CreateRoomForm({ onCreated, onCancel }: { onCreated: (r: Room) => void; onCancel: () => void }) {
  const { session } = useChat();
  const [name, setName] = useState('');
  const [isPrivate, setIsPrivate] = useState(false);
  const [members, setMembers] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const uid = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setError('Give the room a name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const memberList = isPrivate ? parseMembers(members).filter((m) => m !== session.username) : [];
      const room = await api.createRoom(session.token, trimmed, isPrivate, memberList);
      onCreated({ ...room, name: room.name ?? trimmed, private: room.private ?? isPrivate });
    } catch (err) {
      setError((err as ApiError).message || 'Could not create the room.');
      setBusy(false);
    }
  };

  return (
    <form
      className="form create-room"
      data-testid="create-room-form"
      aria-label="Create room"
      onSubmit={submit}
      noValidate
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <div className="field">
        <label htmlFor={`${uid}-name`}>Room name</label>
        <input
          id={`${uid}-name`}
          data-testid="create-room-name"
          value={name}
          maxLength={64}
          onChange={(e) => setName(e.target.value)}
          placeholder="e.g. general"
          autoFocus
        />
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="create-room-private"
          checked={isPrivate}
          onChange={(e) => setIsPrivate(e.target.checked)}
        />
        <span>Private — only invited members can join</span>
      </label>
      {isPrivate && (
        <div className="field">
          <label htmlFor={`${uid}-members`}>Members</label>
          <input
            id={`${uid}-members`}
            data-testid="create-room-members"
            value={members}
            onChange={(e) => setMembers(e.target.value)}
            placeholder="alice, bob"
            autoCapitalize="none"
            spellCheck={false}
            aria-describedby={`${uid}-members-hint`}
          />
          <small id={`${uid}-members-hint`} className="muted">
            Usernames, separated by commas. You are a member automatically.
          </small>
        </div>
      )}
      {error && (
        <p className="alert alert-error" role="alert" data-testid="create-room-error">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="btn btn-ghost btn-small" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary btn-small" data-testid="create-room-submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create room'}
        </button>
      </div>
    </form>
  );
}
