import { useEffect, useState } from 'react';

/** The current time (epoch ms), re-read every `intervalMs` while mounted: countdowns, "5 min ago". */
export function useNow(intervalMs = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}
