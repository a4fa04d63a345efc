// The form that starts an auction: title, prices in dollars (sent as integer cents) and how long it runs.
import { useState, type FormEvent } from 'react';
import { createAuction } from '../lib/api';
import { newAuctionOf, type AuctionFields } from '../lib/newAuction';
import { DURATIONS, localInputValue, type DurationId } from '../lib/time';

const MAX_TITLE = 100;

export interface CreateAuctionFormProps {
  token: string | null;
  onCreated: (auctionId: number) => void;
  /** A refusal the page as a whole handles too (401: the session is over). */
  onError: (e: Error) => void;
}

export function CreateAuctionForm({ token, onCreated, onError }: CreateAuctionFormProps) {
  const [fields, setFields] = useState<AuctionFields>({
    title: '',
    startingPrice: '',
    minIncrement: '1.00',
    duration: '5m',
    customEnd: '',
  });
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof AuctionFields) => (e: { target: { value: string } }) =>
    setFields({ ...fields, [k]: e.target.value });

  const chooseDuration = (duration: DurationId) => {
    const customEnd = fields.customEnd || localInputValue(Date.now() + 10 * 60_000);
    setFields({ ...fields, duration, customEnd });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const auction = newAuctionOf(fields, Date.now());
    if (typeof auction === 'string') {
      setProblem(auction);
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      onCreated(await createAuction(token, auction));
    } catch (err) {
      setBusy(false);
      setProblem((err as Error).message);
      onError(err as Error);
    }
  };

  return (
    <form className="au-create" onSubmit={submit} aria-labelledby="au-create-title" data-testid="create-auction">
      <h2 id="au-create-title">Start an auction</h2>
      <div className="au-create-grid">
        <div className="field au-field-wide">
          <label htmlFor="au-title">Title</label>
          <input
            id="au-title"
            value={fields.title}
            maxLength={MAX_TITLE}
            onChange={set('title')}
            placeholder="What is for sale"
          />
        </div>
        <div className="field">
          <label htmlFor="au-start">Starting price ($)</label>
          <input
            id="au-start"
            inputMode="decimal"
            value={fields.startingPrice}
            onChange={set('startingPrice')}
            placeholder="10.00"
          />
        </div>
        <div className="field">
          <label htmlFor="au-step">Minimum increment ($)</label>
          <input id="au-step" inputMode="decimal" value={fields.minIncrement} onChange={set('minIncrement')} />
        </div>
        <div className="field">
          <label htmlFor="au-duration">Ends</label>
          <select
            id="au-duration"
            value={fields.duration}
            onChange={(e) => chooseDuration(e.target.value as DurationId)}
          >
            {DURATIONS.map((d) => (
              <option key={d.id} value={d.id}>
                {d.id === 'custom' ? d.label : `In ${d.label}`}
              </option>
            ))}
          </select>
        </div>
        {fields.duration === 'custom' && (
          <div className="field au-field-end">
            <label htmlFor="au-end">End time</label>
            <input id="au-end" type="datetime-local" step="1" value={fields.customEnd} onChange={set('customEnd')} />
          </div>
        )}
      </div>
      {problem && (
        <p className="au-alert" role="alert" data-testid="create-error">
          {problem}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Start auction
        </button>
      </div>
    </form>
  );
}
