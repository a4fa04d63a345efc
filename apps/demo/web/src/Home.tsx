import { useEffect, useState } from 'react';
import type { Session } from 'sio-common-web';
import { fetchApps, type AppInfo } from './apps';
import { Link } from './router';

/** The home page: one line for each app the server reports, linking to its page. */
export function Home({ session }: { session: Session }) {
  const [apps, setApps] = useState<AppInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    fetchApps(session.token)
      .then((list) => active && setApps(list))
      .catch((e: Error) => active && setError(e.message));
    return () => {
      active = false;
    };
  }, [session.token]);

  return (
    <div className="home" data-testid="home-page">
      <h1>Welcome, {session.username}</h1>
      <p className="muted">One account, several real-time apps on the same Socket.IO connection.</p>
      {error && (
        <p className="alert alert-error" role="alert" data-testid="apps-error">
          {error}
        </p>
      )}
      {!error && apps === null && (
        <p className="muted" data-testid="apps-loading">
          Loading…
        </p>
      )}
      {apps !== null && (
        <ul className="app-list" data-testid="app-list" aria-label="Apps">
          {apps.map((a) => (
            <li key={a.id} className="app-item" data-testid="app-item" data-app-id={a.id}>
              <Link to={a.path} className="app-link" data-testid="app-link">
                {a.title}
              </Link>
              <span className="muted app-summary">{a.summary}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
