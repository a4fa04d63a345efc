import { describe, expect, it } from 'vitest';
import { formatMoney, MAX_CENTS, parseMoney } from './money';

describe('money', () => {
  it('shows cents as dollars, exactly', () => {
    expect(formatMoney(1250)).toBe('$12.50');
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(7)).toBe('$0.07');
    expect(formatMoney(123456789)).toBe('$1,234,567.89');
    expect(formatMoney(MAX_CENTS)).toBe('$10,000,000,000.00');
    expect(formatMoney(-150)).toBe('-$1.50');
  });

  it('reads dollars as typed into cents', () => {
    expect(parseMoney('12.5')).toBe(1250);
    expect(parseMoney('12.50')).toBe(1250);
    expect(parseMoney(' 7 ')).toBe(700);
    expect(parseMoney('$1,234.56')).toBe(123456);
    expect(parseMoney('0.01')).toBe(1);
    expect(parseMoney('.5')).toBe(50);
    expect(parseMoney('3.')).toBe(300);
    expect(parseMoney('0')).toBe(0);
    expect(parseMoney('10000000000')).toBe(MAX_CENTS);
  });

  it('refuses what is not an amount the server takes', () => {
    for (const bad of ['', ' ', '.', '-1', '1.234', 'abc', '1e3', '1,23', '12,34.5', '10000000000.01', '$', '0x10']) {
      expect(parseMoney(bad), bad).toBe(null);
    }
  });

  it('round-trips every formatted amount', () => {
    for (const cents of [0, 1, 99, 100, 101, 1999, 250000, 987654321]) {
      expect(parseMoney(formatMoney(cents))).toBe(cents);
    }
  });
});
