/**
 * The page the shell mounts at /notifications: every notification of the user, newest first (paged
 * with `list`), "Mark all read", the desktop switch, and the form that sends one to a user. It uses
 * the shell's NotificationsProvider (one socket per tab), or opens its own without one.
 */
import { useEffect } from 'react';
import { StatusLine, useNow, type AppPageProps } from 'sio-common-web';
import { DesktopSwitch } from './DesktopSwitch';
import { NotificationList } from './NotificationList';
import { NotificationsProvider, useNotificationsCenter, type NotificationsCenter } from './NotificationsProvider';
import { SendForm } from './SendForm';
import './notifications.css';

export function NotificationsPage({ session, onLogout }: AppPageProps) {
  const center = useNotificationsCenter();
  if (center) return <PageView center={center} onLogout={onLogout} />;
  return (
    <NotificationsProvider session={session} onLogout={onLogout} onNavigate={(path) => window.location.assign(path)}>
      <NotificationsPage session={session} onLogout={onLogout} />
    </NotificationsProvider>
  );
}

function PageView({ center, onLogout }: { center: NotificationsCenter; onLogout: () => void }) {
  const { session, state, status, permission, enableDesktop, markRead, loadMore, loading, watch } = center;
  const now = useNow(30_000);

  // The page shows what arrives: no toasts meanwhile.
  useEffect(watch, [watch]);
  useEffect(() => {
    if (!state.listed) void loadMore();
    // Once, when the page opens.
  }, []);

  return (
    <div className="nt-page" data-testid="notifications-page">
      <section className="nt-page-list" aria-labelledby="nt-page-title">
        <div className="nt-page-head">
          <h1 id="nt-page-title">Notifications</h1>
          <span className="muted" data-testid="unread-count">
            {state.count === 0 ? 'All read' : `${state.count} unread`}
          </span>
          <button
            type="button"
            className="btn btn-secondary btn-small"
            data-testid="page-mark-all-read"
            disabled={state.count === 0}
            onClick={() => void markRead('all')}
          >
            Mark all read
          </button>
        </div>
        <DesktopSwitch permission={permission} onEnable={() => void enableDesktop()} />
        {state.items.length === 0 ? (
          <p className="nt-empty muted" data-testid="page-empty">
            {state.listed ? 'No notifications yet. Send one with the form.' : 'Loading…'}
          </p>
        ) : (
          <NotificationList
            items={state.items}
            onOpen={center.open}
            label="All notifications"
            now={now}
            testId="page-list"
          />
        )}
        {state.listed && state.more && (
          <button type="button" className="btn btn-secondary" disabled={loading} onClick={() => void loadMore()}>
            Show older
          </button>
        )}
        <StatusLine status={status} className="nt-conn" />
      </section>
      <SendForm token={session.token} onUnauthorized={onLogout} />
    </div>
  );
}
