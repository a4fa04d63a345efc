import { Suspense } from 'react';
import { AuthScreen, Logo, useSession, type Session } from 'sio-common-web';
import { NotificationBell, NotificationsProvider } from 'sio-notifications-web';
import { Home } from './Home';
import { APP_PAGES } from './registry';
import { appPathOf, Link, navigate, usePathname } from './router';

/**
 * Log in once, then the header (notifications, user, log out) over the home page or the current
 * app's page. The notifications (one socket of "/users/<me>" per tab) serve the header's bell and
 * the /notifications page alike.
 */
export function Shell() {
  const { booting, session, signIn, logout } = useSession();
  const path = appPathOf(usePathname());

  if (booting)
    return (
      <div className="splash" data-testid="app-loading" aria-busy="true">
        <Logo />
      </div>
    );
  if (!session) return <AuthScreen onAuthenticated={signIn} />;
  const sessionKey = `${String(session.userId)}:${session.token ?? ''}`;
  return (
    <NotificationsProvider key={sessionKey} session={session} onLogout={logout} onNavigate={navigate}>
      <div className="shell" data-testid="shell">
        <header className="topbar" data-testid="shell-header">
          <div className="brand">
            <Link to="/" data-testid="home-link" aria-label="Home">
              <Logo />
              <span>sio demo</span>
            </Link>
          </div>
          <div className="me">
            <NotificationBell />
            <span className="avatar avatar-small" aria-hidden="true">
              {session.username.slice(0, 1).toUpperCase()}
            </span>
            <span data-testid="current-user">{session.username}</span>
            <button type="button" className="btn btn-ghost btn-small" data-testid="logout-button" onClick={logout}>
              Log out
            </button>
          </div>
        </header>
        <main className="shell-main">
          <Page key={sessionKey} path={path} session={session} onLogout={logout} />
        </main>
      </div>
    </NotificationsProvider>
  );
}

function Page({ path, session, onLogout }: { path: string; session: Session; onLogout: () => void }) {
  if (path === '/') return <Home session={session} />;
  const AppPage = APP_PAGES[path];
  if (!AppPage) return <NotAvailable />;
  return (
    <Suspense
      fallback={
        <p className="muted pad" data-testid="page-loading">
          Loading…
        </p>
      }
    >
      <AppPage session={session} onLogout={onLogout} />
    </Suspense>
  );
}

function NotAvailable() {
  return (
    <div className="placeholder" data-testid="not-found">
      <h2>Nothing here</h2>
      <p className="muted">This page is not part of this build of the demo.</p>
      <Link to="/">Back to the apps</Link>
    </div>
  );
}
