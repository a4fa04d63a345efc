// A list of notifications, newest first, unread ones marked: each opens (marks read, goes to its
// link) on click or Enter. Used by the bell's panel and by the page.
import type { MouseEvent } from 'react';
import { senderOf, timeAgo } from '../lib/format';
import { localPath } from '../lib/protocol';
import type { Notification } from '../lib/types';

export interface NotificationListProps {
  items: Notification[];
  onOpen: (item: Notification) => void;
  label: string;
  now: number;
  testId: string;
}

export function NotificationList({ items, onOpen, label, now, testId }: NotificationListProps) {
  return (
    <ul className="nt-list" aria-label={label} data-testid={testId}>
      {items.map((n) => (
        <li
          key={n.id}
          className={n.read ? 'nt-item' : 'nt-item nt-unread'}
          data-testid="notification-item"
          data-id={n.id}
          data-read={String(n.read)}
        >
          <ItemLink item={n} onOpen={onOpen}>
            <span className="nt-dot" aria-hidden="true" />
            <span className="nt-item-text">
              <span className="nt-item-title">
                {n.title}
                {!n.read && <span className="visually-hidden"> (unread)</span>}
              </span>
              {n.body && <span className="nt-item-body">{n.body}</span>}
              <span className="nt-item-meta">
                {senderOf(n)} · <time dateTime={new Date(n.createdAt).toISOString()}>{timeAgo(n.createdAt, now)}</time>
              </span>
            </span>
          </ItemLink>
        </li>
      ))}
    </ul>
  );
}

/** A link when the notification leads somewhere (new tabs and modified clicks as usual), else a button. */
function ItemLink({ item, onOpen, children }: { item: Notification; onOpen: (item: Notification) => void; children: React.ReactNode }) {
  const path = localPath(item.url);
  if (!path)
    return (
      <button type="button" className="nt-open" onClick={() => onOpen(item)}>
        {children}
      </button>
    );
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    onOpen(item);
  };
  return (
    <a className="nt-open" href={path} onClick={onClick}>
      {children}
    </a>
  );
}
