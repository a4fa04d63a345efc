// The auctions: open ones with their price and time left (ticking), closed ones with their result,
// refreshed every few seconds; and the form that starts a new one.
import { useCallback, useEffect, useState } from 'react';
import { useNow, type Session } from 'sio-common-web';
import { ApiError, listAuctions } from '../lib/api';
import { formatMoney } from '../lib/money';
import { formatTimeLeft } from '../lib/time';
import type { Auction } from '../lib/types';
import { CreateAuctionForm } from './CreateAuctionForm';

/** How often the list is fetched again. */
const REFRESH_MS = 3000;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export interface AuctionListProps {
  session: Session;
  onOpen: (auctionId: number) => void;
  /** The server no longer takes the session (401). */
  onUnauthorized?: () => void;
}

/** The list from the server, fetched now and every REFRESH_MS; the last error, if the last fetch failed. */
function useAuctions(token: string | null, fail: (e: Error) => void) {
  const [auctions, setAuctions] = useState<Auction[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    const load = () => {
      listAuctions(token)
        .then((list) => {
          if (!live) return;
          setAuctions(list);
          setError(null);
        })
        .catch((e: Error) => {
          if (!live) return;
          setError(e.message);
          fail(e);
        })
        .finally(() => {
          if (live) timer = window.setTimeout(load, REFRESH_MS);
        });
    };
    load();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [token, fail]);
  return { auctions, error };
}

export function AuctionList({ session, onOpen, onUnauthorized }: AuctionListProps) {
  const fail = useCallback(
    (e: Error) => {
      if (e instanceof ApiError && e.status === 401) onUnauthorized?.();
    },
    [onUnauthorized],
  );
  const { auctions, error } = useAuctions(session.token, fail);
  const now = useNow(1000);
  const open = auctions?.filter((a) => a.status === 'open') ?? [];
  const closed = auctions?.filter((a) => a.status === 'closed') ?? [];

  return (
    <section className="au-list" aria-labelledby="au-list-title">
      <header>
        <h1 id="au-list-title">Auctions</h1>
      </header>
      <CreateAuctionForm token={session.token} onCreated={onOpen} onError={fail} />
      {error && (
        <p className="au-alert" role="alert">
          {error}
        </p>
      )}
      {auctions === null && !error && <p className="au-muted">Loading…</p>}
      <h2 id="au-open-title">Open</h2>
      {auctions !== null && open.length === 0 && <p className="au-muted">No open auctions: start one.</p>}
      {open.length > 0 && (
        <ul className="au-items" aria-labelledby="au-open-title" data-testid="open-auctions">
          {open.map((a) => (
            <li key={a.id}>
              <button
                type="button"
                className="au-item"
                data-testid="auction-item"
                data-auction-id={a.id}
                onClick={() => onOpen(a.id)}
              >
                <span className="au-item-title">{a.title}</span>
                <span className="au-item-price">{formatMoney(a.currentPrice)}</span>
                <span className="au-muted au-item-meta">
                  {plural(a.bidCount, 'bid')} ·{' '}
                  {a.endsAt > now ? (
                    <>
                      <span className="au-time">{formatTimeLeft(a.endsAt - now)}</span> left
                    </>
                  ) : (
                    'closing…'
                  )}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {closed.length > 0 && (
        <>
          <h2 id="au-closed-title">Closed</h2>
          <ul className="au-items" aria-labelledby="au-closed-title" data-testid="closed-auctions">
            {closed.map((a) => (
              <li key={a.id}>
                <button
                  type="button"
                  className="au-item au-item-closed"
                  data-testid="auction-item"
                  data-auction-id={a.id}
                  onClick={() => onOpen(a.id)}
                >
                  <span className="au-item-title">{a.title}</span>
                  <span className="au-item-price">{a.highestBidder ? formatMoney(a.currentPrice) : '—'}</span>
                  <span className="au-muted au-item-meta">
                    {a.highestBidder ? `Won by ${a.highestBidder.username}` : 'No bids'}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
