// The list of documents and the form that makes a new one.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, createDoc, listDocs, type DocSummary } from './api';

const maxTitle = 100;

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString();
}

export interface DocListProps {
  onOpen: (docId: number) => void;
  /** The server no longer takes the session (401). */
  onUnauthorized?: () => void;
}

export function DocList(props: DocListProps) {
  const [docs, setDocs] = useState<DocSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);

  const { onUnauthorized } = props;
  const fail = useCallback(
    (e: Error) => {
      setError(e.message);
      if (e instanceof ApiError && e.status === 401) onUnauthorized?.();
    },
    [onUnauthorized],
  );

  useEffect(() => {
    let live = true;
    listDocs()
      .then((d) => live && setDocs(d))
      .catch((e: Error) => live && fail(e));
    return () => {
      live = false;
    };
  }, [fail]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const t = title.trim();
    if (!t || busy) return;
    setBusy(true);
    setError(null);
    try {
      props.onOpen(await createDoc(t));
    } catch (err) {
      setBusy(false);
      fail(err as Error);
    }
  };

  return (
    <section className="ed-list" aria-labelledby="ed-list-title">
      <header className="ed-list-header">
        <h1 id="ed-list-title">Documents</h1>
      </header>
      <form className="ed-new" onSubmit={create}>
        <label htmlFor="ed-new-title" className="visually-hidden">
          Title of the new document
        </label>
        <input
          id="ed-new-title"
          value={title}
          maxLength={maxTitle}
          placeholder="Title of a new document"
          onChange={(e) => setTitle(e.target.value)}
        />
        <button type="submit" className="btn btn-primary" disabled={busy || !title.trim()}>
          New document
        </button>
      </form>
      {error && (
        <p className="ed-alert" role="alert">
          {error}
        </p>
      )}
      {docs === null && !error && <p className="ed-muted">Loading…</p>}
      {docs?.length === 0 && <p className="ed-muted">No documents yet: make the first one.</p>}
      {docs && docs.length > 0 && (
        <ul className="ed-docs">
          {docs.map((d) => (
            <li key={d.id}>
              <button type="button" className="ed-doc" onClick={() => props.onOpen(d.id)}>
                <span className="ed-doc-title">{d.title}</span>
                <span className="ed-muted ed-doc-time">{when(d.updatedAt)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
