// One auction, live: price, leader, countdown, bid controls and history, all from the server's events.
import { useEffect, useMemo, useReducer, useState, type FormEvent } from 'react';
import { sameId, useNow, type Id } from 'sio-common-web';
import {
  auctionReducer,
  inExtensionWindow,
  initialAuctionState,
  nextValidAmount,
  outbidText,
  resultText,
  timeLeft,
  type AuctionState,
} from '../lib/auctionState';
import { formatMoney, parseMoney } from '../lib/money';
import { followAuction, placeBid, type AuctionSocket } from '../lib/session';
import { formatTimeLeft } from '../lib/time';
import type { Auction } from '../lib/types';

export interface AuctionRoomProps {
  socket: AuctionSocket;
  auctionId: number;
  me: Id;
  connected: boolean;
  onBack: () => void;
}

export function AuctionRoom({ socket, auctionId, me, connected, onBack }: AuctionRoomProps) {
  const reducer = useMemo(() => auctionReducer(me), [me]);
  const [state, dispatch] = useReducer(reducer, initialAuctionState);
  const [pending, setPending] = useState(false);

  useEffect(() => followAuction(socket, auctionId, dispatch), [socket, auctionId]);

  const bid = async (amount: number) => {
    setPending(true);
    const outcome = await placeBid(socket, auctionId, amount);
    setPending(false);
    if (!outcome.ok) dispatch({ type: 'refused', error: outcome.error, currentPrice: outcome.currentPrice });
    return outcome.ok;
  };

  const a = state.auction;
  return (
    <section className="au-room" aria-labelledby="au-room-title" data-testid="auction-room">
      <header className="au-room-header">
        <button type="button" className="btn btn-ghost" onClick={onBack}>
          ← Auctions
        </button>
        <h1 id="au-room-title">{a?.title ?? (state.notFound ? 'No such auction' : 'Opening…')}</h1>
        {a && sameId(a.sellerId, me) && <span className="au-badge">Your auction</span>}
      </header>
      {state.notFound && <p className="au-muted">This auction does not exist.</p>}
      {!a && !state.notFound && <p className="au-muted">Loading the auction…</p>}
      {a && <AuctionBody auction={a} state={state} me={me} canBid={connected && !pending} onBid={bid} />}
      {state.error && (
        <p className="au-alert" role="alert" data-testid="bid-error">
          {state.error}
          <button type="button" className="btn btn-ghost btn-small" onClick={() => dispatch({ type: 'dismiss' })}>
            Dismiss
          </button>
        </p>
      )}
      <BidHistory state={state} me={me} />
    </section>
  );
}

interface BodyProps {
  auction: Auction;
  state: AuctionState;
  me: Id;
  canBid: boolean;
  onBid: (amount: number) => Promise<boolean>;
}

function AuctionBody({ auction: a, state, me, canBid, onBid }: BodyProps) {
  const closed = a.status === 'closed';
  const leading = a.highestBidder !== null && sameId(a.highestBidder.userId, me);
  return (
    <div className="au-body">
      <div className="au-price-panel">
        <div>
          <p className="au-label">{a.bidCount === 0 ? 'Starting price' : closed ? 'Final price' : 'Current price'}</p>
          <p className="au-price" data-testid="current-price">
            {formatMoney(a.currentPrice)}
          </p>
          <p className="au-leader" data-testid="highest-bidder">
            {leading
              ? closed
                ? 'You are the winner'
                : 'You are the highest bidder'
              : a.highestBidder
                ? `Highest bidder: ${a.highestBidder.username}`
                : 'No bids yet'}
          </p>
        </div>
        <Countdown auction={a} state={state} />
      </div>
      <Notice auction={a} state={state} me={me} />
      {sameId(a.sellerId, me) ? (
        <p className="au-muted" data-testid="own-auction">
          Your auction: you cannot bid on it. Bids show here as they come.
        </p>
      ) : (
        <BidControls auction={a} disabled={closed || !canBid} onBid={onBid} />
      )}
    </div>
  );
}

/** Time left, following endsAt as every bid may move it; "Extended" once a late bid did. */
function Countdown({ auction: a, state }: { auction: Auction; state: AuctionState }) {
  const now = useNow(250);
  const left = timeLeft(state, now);
  const text = a.status === 'closed' ? 'Closed' : left > 0 ? formatTimeLeft(left) : 'Closing…';
  return (
    <div className="au-countdown" data-testid="countdown" data-ends-at={a.endsAt} data-status={a.status}>
      <p className="au-label">{a.status === 'closed' ? 'Auction' : 'Ends in'}</p>
      <p className={`au-time-left${inExtensionWindow(state, left) ? ' au-time-short' : ''}`}>{text}</p>
      {state.extended && a.status === 'open' && (
        <p className="au-extended" data-testid="extended">
          Extended by a late bid
        </p>
      )}
    </div>
  );
}

/** The line a screen reader announces: the result once closed, else being outbid. */
function Notice({ auction: a, state, me }: { auction: Auction; state: AuctionState; me: Id }) {
  const closed = a.status === 'closed';
  const text = closed ? resultText(a, me) : state.outbid ? outbidText(state.outbid) : '';
  const kind = closed ? 'result' : 'outbid';
  return (
    <p
      className={`au-notice${text ? ` au-notice-${kind}` : ''}`}
      aria-live="assertive"
      aria-atomic="true"
      data-testid={text ? `auction-${kind}` : undefined}
    >
      {text}
    </p>
  );
}

/** The bid button (the next valid amount) and a field to bid more. */
function BidControls({
  auction: a,
  disabled,
  onBid,
}: {
  auction: Auction;
  disabled: boolean;
  onBid: (amount: number) => Promise<boolean>;
}) {
  const [custom, setCustom] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const next = nextValidAmount(a);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const amount = parseMoney(custom);
    if (amount === null || amount === 0) {
      setProblem('Enter an amount in dollars, e.g. 12.50');
      return;
    }
    setProblem(null);
    if (await onBid(amount)) setCustom('');
  };

  return (
    <div className="au-bid" data-testid="bid-controls">
      <button
        type="button"
        className="btn btn-primary au-bid-next"
        data-testid="bid-button"
        disabled={disabled}
        onClick={() => void onBid(next)}
      >
        Bid {formatMoney(next)}
      </button>
      <form className="au-bid-custom" onSubmit={submit}>
        <label htmlFor="au-bid-amount" className="visually-hidden">
          Your bid in dollars
        </label>
        <input
          id="au-bid-amount"
          inputMode="decimal"
          placeholder={`${formatMoney(next)} or more`}
          value={custom}
          disabled={disabled}
          onChange={(e) => setCustom(e.target.value)}
          aria-describedby={problem ? 'au-bid-problem' : undefined}
        />
        <button
          type="submit"
          className="btn btn-secondary"
          data-testid="bid-custom-button"
          disabled={disabled || !custom.trim()}
        >
          Place bid
        </button>
      </form>
      {problem && (
        <p id="au-bid-problem" className="au-alert" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

const timeOf = (at: number) => new Date(at).toLocaleTimeString();

function BidHistory({ state, me }: { state: AuctionState; me: Id }) {
  if (!state.auction) return null;
  return (
    <section className="au-history" aria-labelledby="au-history-title">
      <h2 id="au-history-title">Bids</h2>
      {state.bids.length === 0 ? (
        <p className="au-muted">No bids yet.</p>
      ) : (
        <ol className="au-bids" data-testid="bid-history">
          {state.bids.map((b) => (
            <li key={b.seq} data-seq={b.seq} className={sameId(b.userId, me) ? 'au-bid-mine' : undefined}>
              <span className="au-bid-who">{sameId(b.userId, me) ? `${b.username} (you)` : b.username}</span>
              <span className="au-bid-amount">{formatMoney(b.amount)}</span>
              <time className="au-muted" dateTime={new Date(b.at).toISOString()}>
                {timeOf(b.at)}
              </time>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
