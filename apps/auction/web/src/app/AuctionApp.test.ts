import { describe, expect, it } from 'vitest';
import { connectionText } from '../lib/status';
import { auctionIdOf } from './AuctionApp';

describe('the page', () => {
  it('reads the auction id from the path', () => {
    expect(auctionIdOf('/auction')).toBe(null);
    expect(auctionIdOf('/auction/')).toBe(null);
    expect(auctionIdOf('/auction/42')).toBe(42);
    expect(auctionIdOf('/auction/42/')).toBe(42);
    expect(auctionIdOf('/auction/x')).toBe(null);
    expect(auctionIdOf('/auctions/1')).toBe(null);
    expect(auctionIdOf('/apps/auction/7', '/apps/auction')).toBe(7);
  });

  it('says how the connection is', () => {
    expect(connectionText('connected', null)).toBe('Connected · live');
    expect(connectionText('connecting', null)).toBe('Connecting…');
    expect(connectionText('reconnecting', 'transport close')).toBe('Reconnecting (transport close)…');
    expect(connectionText('reconnecting', null)).toBe('Reconnecting…');
    expect(connectionText('unauthorized', 'unauthorized')).toBe('Signed out: please log in again');
  });
});
