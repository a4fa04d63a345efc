import { describe, expect, it } from 'vitest';
import { newAuctionOf, type AuctionFields } from './newAuction';
import { localInputValue } from './time';

const now = 1_700_000_000_000;
const fields: AuctionFields = {
  title: '  Old bike ',
  startingPrice: '12.50',
  minIncrement: '1',
  duration: '1m',
  customEnd: '',
};

describe('the create form', () => {
  it('sends prices in cents and the end time in epoch ms', () => {
    expect(newAuctionOf(fields, now)).toEqual({
      title: 'Old bike',
      startingPrice: 1250,
      minIncrement: 100,
      endsAt: now + 60_000,
    });
    expect(newAuctionOf({ ...fields, startingPrice: '0' }, now)).toMatchObject({ startingPrice: 0 });
  });

  it('says what is missing before sending', () => {
    expect(newAuctionOf({ ...fields, title: '   ' }, now)).toBe('Give the auction a title');
    expect(newAuctionOf({ ...fields, startingPrice: 'ten' }, now)).toMatch(/^Starting price/);
    expect(newAuctionOf({ ...fields, minIncrement: '0' }, now)).toMatch(/^Minimum increment/);
    expect(newAuctionOf({ ...fields, minIncrement: '' }, now)).toMatch(/^Minimum increment/);
    expect(newAuctionOf({ ...fields, duration: 'custom' }, now)).toBe('Choose an end time');
  });

  it('leaves the end time bounds to the server', () => {
    const custom = localInputValue(now + 1000);
    expect(newAuctionOf({ ...fields, duration: 'custom', customEnd: custom }, now)).toMatchObject({
      endsAt: now + 1000,
    });
  });
});
