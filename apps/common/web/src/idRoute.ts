/**
 * The one sub-route every app page has: its root (`/editor`, a list) and one item by numeric id
 * (`/editor/12`), kept in the URL with history.pushState so that back and forward work.
 */
import { useCallback, useEffect, useState } from 'react';

/** The id in `pathname` under `basePath` (`/editor/12` → 12, trailing slash allowed), or null. */
export function idInPath(pathname: string, basePath: string): number | null {
  if (!pathname.startsWith(basePath + '/')) return null;
  const rest = pathname.slice(basePath.length + 1).replace(/\/$/, '');
  return /^\d{1,15}$/.test(rest) ? Number(rest) : null;
}

/** The id the URL names under `basePath` (null: the root), and `go` to show another one. */
export function useIdRoute(basePath: string): [number | null, (id: number | null) => void] {
  const [id, setId] = useState(() => idInPath(window.location.pathname, basePath));

  useEffect(() => {
    const onPop = () => setId(idInPath(window.location.pathname, basePath));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [basePath]);

  const go = useCallback(
    (next: number | null) => {
      const path = next === null ? basePath : `${basePath}/${next}`;
      if (window.location.pathname !== path) window.history.pushState(null, '', path);
      setId(next);
    },
    [basePath],
  );
  return [id, go];
}
