/** Prices are integer cents on the wire; people read and type them in dollars. */

/** The largest amount the server takes (cents). */
export const MAX_CENTS = 1e12;

const dollars = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1250 -> "$12.50", 123456789 -> "$1,234,567.89" (exact: no floating-point cents). */
export function formatMoney(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(cents));
  const rest = String(abs % 100).padStart(2, '0');
  return `${sign}$${dollars.format(Math.floor(abs / 100))}.${rest}`;
}

/**
 * What someone typed, in dollars, as cents: "12.5" -> 1250, "$1,234.56" -> 123456, " 7 " -> 700.
 * Null for anything else (negative, more than two decimals, not a number, above MAX_CENTS).
 */
export function parseMoney(text: string): number | null {
  const m = /^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d{0,2}))?$/.exec(text.trim());
  if (!m || (m[1] === undefined && !m[2])) return null;
  const whole = Number((m[1] ?? '0').replace(/,/g, ''));
  const cents = whole * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(cents) && cents <= MAX_CENTS ? cents : null;
}
