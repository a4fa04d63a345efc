/**
 * The bell of the shell's header: the unread count on a button that opens the newest
 * notifications (a disclosure: Escape or a click elsewhere closes it, arrow keys move through the
 * list), "Mark all read", the desktop notifications' switch and a link to the full page.
 */
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useNow } from 'sio-common-web';
import { badgeText, bellLabel } from '../lib/state';
import type { Notification } from '../lib/types';
import { DesktopSwitch } from './DesktopSwitch';
import { NotificationList } from './NotificationList';
import { useNotificationsCenter } from './NotificationsProvider';
import './notifications.css';

/** How many the panel shows (the page has them all). */
export const PANEL_ITEMS = 8;
/** The page the panel links to. */
export const PAGE_PATH = '/notifications';

export function NotificationBell() {
  const center = useNotificationsCenter();
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  const now = useNow(30_000);

  const close = useCallback((refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  }, []);

  // A click or focus outside closes the panel; so does Escape, wherever the focus is.
  useEffect(() => {
    if (!open) return;
    const outside = (e: Event) => {
      if (!rootRef.current?.contains(e.target as Node)) close(false);
    };
    const escape = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      close(rootRef.current?.contains(document.activeElement) ?? false);
    };
    document.addEventListener('pointerdown', outside);
    document.addEventListener('focusin', outside);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('pointerdown', outside);
      document.removeEventListener('focusin', outside);
      document.removeEventListener('keydown', escape);
    };
  }, [open, close]);

  // The first opening lists the newest page (read ones too: the snapshot has the unread only).
  // While open, the list shows what arrives: no toasts.
  const listed = center?.state.listed ?? true;
  const loadMore = center?.loadMore;
  const watch = center?.watch;
  useEffect(() => {
    if (!open) return;
    if (!listed) void loadMore?.();
    return watch?.();
    // Once per opening, not again when the page arrives or fails.
  }, [open]);

  if (!center) return null;
  const { state, permission, enableDesktop, markRead, navigate } = center;

  const onOpenItem = (item: Notification) => {
    close(false);
    center.open(item);
  };
  const onSeeAll = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    close(false);
    navigate(PAGE_PATH);
  };

  return (
    <div className="nt-bell" ref={rootRef} onKeyDown={(e) => open && onPanelKey(e, rootRef.current)}>
      <button
        ref={buttonRef}
        type="button"
        className="icon-btn nt-bell-button"
        aria-label={bellLabel(state.count)}
        aria-expanded={open}
        aria-controls={panelId}
        data-testid="notifications-bell"
        data-count={state.count}
        onClick={() => setOpen((o) => !o)}
      >
        <BellIcon />
        {state.count > 0 && (
          <span className="nt-badge" data-testid="notifications-count" aria-hidden="true">
            {badgeText(state.count)}
          </span>
        )}
      </button>
      <div
        id={panelId}
        className="nt-panel"
        role="region"
        aria-label="Recent notifications"
        data-testid="notifications-panel"
        hidden={!open}
      >
        <div className="nt-panel-head">
          <h2 className="nt-panel-title">Notifications</h2>
          <button
            type="button"
            className="btn btn-ghost btn-small"
            data-testid="mark-all-read"
            disabled={state.count === 0}
            onClick={() => void markRead('all')}
          >
            Mark all read
          </button>
        </div>
        {state.items.length === 0 ? (
          <p className="nt-empty muted" data-testid="notifications-empty">
            {state.synced || state.listed ? 'Nothing yet.' : 'Loading…'}
          </p>
        ) : (
          <NotificationList
            items={state.items.slice(0, PANEL_ITEMS)}
            onOpen={onOpenItem}
            label="Newest notifications"
            now={now}
            testId="notifications-list"
          />
        )}
        <div className="nt-panel-foot">
          <DesktopSwitch permission={permission} onEnable={() => void enableDesktop()} />
          <a className="nt-see-all" href={PAGE_PATH} onClick={onSeeAll} data-testid="notifications-see-all">
            See all
          </a>
        </div>
      </div>
    </div>
  );
}

/** The arrow keys, Home and End move between the panel's notifications. */
function onPanelKey(e: KeyboardEvent, root: HTMLElement | null) {
  if (!root || !['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
  const links = [...root.querySelectorAll<HTMLElement>('.nt-open')];
  if (links.length === 0) return;
  e.preventDefault();
  const at = links.indexOf(document.activeElement as HTMLElement);
  const next =
    e.key === 'Home' ? 0 : e.key === 'End' ? links.length - 1 : e.key === 'ArrowDown' ? at + 1 : at < 0 ? links.length - 1 : at - 1;
  links[Math.max(0, Math.min(links.length - 1, next))].focus();
}

function BellIcon() {
  return (
    <svg className="nt-bell-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path
        d="M12 3a6 6 0 0 0-6 6v3.6l-1.7 2.9A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.5L18 12.6V9a6 6 0 0 0-6-6Zm-2.5 15a2.5 2.5 0 0 0 5 0h-5Z"
        fill="currentColor"
      />
    </svg>
  );
}
