/** The create form's fields, read as what POST /api/auctions takes. */
import type { NewAuction } from './api';
import { parseMoney } from './money';
import { endsAtOf, type DurationId } from './time';

/** As typed: prices in dollars, the end as a duration or a datetime-local value. */
export interface AuctionFields {
  title: string;
  startingPrice: string;
  minIncrement: string;
  duration: DurationId;
  customEnd: string;
}

/**
 * The auction the fields describe at `now`, or why it cannot be sent. Only what the page cannot
 * send is caught here; the server judges the rest (an end time too soon or too far is its 400).
 */
export function newAuctionOf(f: AuctionFields, now: number): NewAuction | string {
  const title = f.title.trim();
  if (!title) return 'Give the auction a title';
  const startingPrice = parseMoney(f.startingPrice);
  if (startingPrice === null) return 'Starting price: an amount in dollars, e.g. 12.50';
  const minIncrement = parseMoney(f.minIncrement);
  if (minIncrement === null || minIncrement < 1) return 'Minimum increment: at least $0.01';
  const endsAt = endsAtOf(f.duration, f.customEnd, now);
  if (endsAt === null) return 'Choose an end time';
  return { title, startingPrice, minIncrement, endsAt };
}
