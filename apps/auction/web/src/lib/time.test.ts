import { describe, expect, it } from 'vitest';
import { endsAtOf, formatTimeLeft, localInputValue } from './time';

describe('time', () => {
  it('counts down in minutes and seconds, hours when long, days when longer', () => {
    expect(formatTimeLeft(7000)).toBe('0:07');
    expect(formatTimeLeft(6001)).toBe('0:07');
    expect(formatTimeLeft(299_000)).toBe('4:59');
    expect(formatTimeLeft(3_723_000)).toBe('1:02:03');
    expect(formatTimeLeft(3 * 86_400_000 + 4 * 3_600_000 + 5000)).toBe('3 d 4 h');
  });

  it('reaches 0:00 when the time is up and stays there', () => {
    expect(formatTimeLeft(1)).toBe('0:01');
    expect(formatTimeLeft(0)).toBe('0:00');
    expect(formatTimeLeft(-5000)).toBe('0:00');
  });

  it('turns the form choice into an end time', () => {
    const now = 1_700_000_000_000;
    expect(endsAtOf('1m', '', now)).toBe(now + 60_000);
    expect(endsAtOf('5m', '', now)).toBe(now + 300_000);
    expect(endsAtOf('1h', '', now)).toBe(now + 3_600_000);
    expect(endsAtOf('1d', '', now)).toBe(now + 86_400_000);
    expect(endsAtOf('custom', '', now)).toBe(null);
    expect(endsAtOf('custom', 'tomorrow', now)).toBe(null);
  });

  it('reads a custom end time in the local time zone, seconds included', () => {
    const t = new Date(2026, 11, 4, 17, 5, 9).getTime();
    expect(localInputValue(t)).toBe('2026-12-04T17:05:09');
    expect(endsAtOf('custom', '2026-12-04T17:05:09', 0)).toBe(t);
    expect(endsAtOf('custom', '2026-12-04T17:05', 0)).toBe(t - 9000);
  });
});
