/**
 * Client-side routes of the shell on the History API: `/` is the home page, `/<app>` (and anything
 * under it) an app's page. The server answers index.html for every such path.
 */
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const NAVIGATE = 'sio-demo:navigate';

/** The app part of a pathname: "/chat" for "/chat" and "/chat/anything"; "/" for the home page. */
export function appPathOf(pathname: string): string {
  const first = pathname.split('/').find((seg) => seg !== '');
  return first === undefined ? '/' : `/${first}`;
}

export function navigate(to: string): void {
  if (to === window.location.pathname + window.location.search + window.location.hash) return;
  const hash = window.location.hash;
  history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
  // pushState fires no hashchange: a page that follows its hash (the chat's #/room/<id>, a
  // notice's link) hears it as after a click on an anchor.
  if (window.location.hash !== hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** The current pathname, updated on navigate() and on the browser's back and forward buttons. */
export function usePathname(): string {
  const [path, setPath] = useState(() => window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return path;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

/** An anchor that navigates without reloading the page (new tabs and modified clicks as usual). */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const onLinkClick = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={onLinkClick} {...rest} />;
}
