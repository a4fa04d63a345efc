/** Times are epoch milliseconds; what is left of an auction reads as a short countdown. */

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Time left as a countdown: "0:07", "4:59", "1:02:03", "3 d 4 h"; "0:00" once over.
 * Seconds are rounded up so that the display reaches 0:00 when the time is up, not a second early.
 */
export function formatTimeLeft(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86400);
  if (days > 0) return `${days} d ${Math.floor((total % 86400) / 3600)} h`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** The create form's choices of how long an auction runs; "custom" takes an end time. */
export const DURATIONS = [
  { id: '1m', label: '1 minute', ms: 60_000 },
  { id: '5m', label: '5 minutes', ms: 5 * 60_000 },
  { id: '1h', label: '1 hour', ms: 3_600_000 },
  { id: '1d', label: '1 day', ms: 86_400_000 },
  { id: 'custom', label: 'Custom end time', ms: 0 },
] as const;

export type DurationId = (typeof DURATIONS)[number]['id'];

/**
 * The endsAt of the form's choice: now + the duration, or the custom end time (an
 * <input type="datetime-local"> value, read in the browser's time zone). Null when the custom
 * time is empty or malformed.
 */
export function endsAtOf(choice: DurationId, custom: string, now: number): number | null {
  if (choice !== 'custom') return now + DURATIONS.find((d) => d.id === choice)!.ms;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(custom)) return null;
  const t = new Date(custom).getTime();
  return Number.isNaN(t) ? null : t;
}

/** A datetime-local value (seconds included) for `t` in the browser's time zone. */
export function localInputValue(t: number): string {
  const d = new Date(t);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}
