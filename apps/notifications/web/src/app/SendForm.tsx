// The form that sends a notification to a user by name (POST /api/notifications).
import { useState, type FormEvent } from 'react';
import { ApiError } from 'sio-common-web';
import { MAX_BODY, MAX_TITLE, MAX_URL, problemOf, sendNotification, type NewNotification } from '../lib/api';

export interface SendFormProps {
  token: string | null;
  /** The server refused the session (401). */
  onUnauthorized: () => void;
}

const EMPTY: NewNotification = { toUsername: '', title: '', body: '', url: '' };

export function SendForm({ token, onUnauthorized }: SendFormProps) {
  const [fields, setFields] = useState<NewNotification>(EMPTY);
  const [problem, setProblem] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof NewNotification) => (e: { target: { value: string } }) =>
    setFields({ ...fields, [k]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const refusal = problemOf(fields);
    setProblem(refusal);
    setSent(null);
    if (refusal) return;
    setBusy(true);
    try {
      await sendNotification(token, fields);
      setSent(`Sent to ${fields.toUsername.trim()}.`);
      setFields({ ...EMPTY, toUsername: fields.toUsername });
    } catch (err) {
      setProblem((err as Error).message);
      if (err instanceof ApiError && err.status === 401) onUnauthorized();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="nt-send form" onSubmit={submit} aria-labelledby="nt-send-title" data-testid="send-notification">
      <h2 id="nt-send-title">Send a notification</h2>
      <div className="nt-send-grid">
        <div className="field">
          <label htmlFor="nt-to">To (username)</label>
          <input id="nt-to" value={fields.toUsername} onChange={set('toUsername')} autoComplete="off" maxLength={32} />
        </div>
        <div className="field">
          <label htmlFor="nt-title">Title</label>
          <input id="nt-title" value={fields.title} onChange={set('title')} maxLength={MAX_TITLE} />
        </div>
        <div className="field nt-field-wide">
          <label htmlFor="nt-body">Message</label>
          <textarea id="nt-body" rows={3} value={fields.body} onChange={set('body')} maxLength={MAX_BODY} />
        </div>
        <div className="field nt-field-wide">
          <label htmlFor="nt-url">Link (optional)</label>
          <input id="nt-url" value={fields.url} onChange={set('url')} maxLength={MAX_URL} placeholder="/chat" />
          <small className="muted">A page of this site, opened when the notification is clicked.</small>
        </div>
      </div>
      {problem && (
        <p className="alert alert-error" role="alert" data-testid="send-error">
          {problem}
        </p>
      )}
      <p className="form-status alert alert-info" role="status" data-testid="send-status">
        {sent}
      </p>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="send-button">
          Send
        </button>
      </div>
    </form>
  );
}
