// The live dashboard's page, mounted by the app shell at /dashboard: a card per node and four
// charts of the last 5 minutes, fed by the namespace "/dashboard". Samples go into the history as
// they arrive; the page redraws at most once per animation frame, and every second so that a node
// that went quiet turns "down" and old points leave the window.
import { useEffect, useState } from 'react';
import { StatusLine, type ConnectionStatus } from 'sio-common-web';
import { frameScheduler } from '../lib/frame';
import { MetricsHistory, WINDOW_MS } from '../lib/history';
import { dashboardView, type DashboardView } from '../lib/series';
import { watchMetrics, type DashboardSocket } from '../lib/session';
import { Chart } from './Chart';
import { NodeCard } from './NodeCard';
import './dashboard.css';

/** How often the page looks at the clock without new samples (down detection, window). */
const TICK_MS = 1_000;

export interface DashboardAppProps {
  /** Connected to the namespace "/dashboard". */
  socket: DashboardSocket;
  status: ConnectionStatus;
}

export function DashboardApp({ socket, status }: DashboardAppProps) {
  const [history] = useState(() => new MetricsHistory()); // one for the page's life
  const [view, setView] = useState<DashboardView>(() => dashboardView(history, Date.now()));
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const redraw = frameScheduler(
      () => {
        const now = Date.now();
        history.trim(now);
        setView(dashboardView(history, now));
      },
      { request: (cb) => window.requestAnimationFrame(cb), cancel: (h) => window.cancelAnimationFrame(h) },
    );
    const stop = watchMetrics(socket, {
      snapshot: (snapshot) => {
        history.load(snapshot, Date.now());
        setError(null);
        redraw.request();
      },
      sample: (sample) => {
        history.add(sample, Date.now());
        redraw.request();
      },
      error: setError,
    });
    const tick = window.setInterval(redraw.request, TICK_MS);
    return () => {
      stop();
      window.clearInterval(tick);
      redraw.dispose();
    };
  }, [socket, history]);

  const up = view.nodes.filter((n) => n.up).length;
  return (
    <div className="db-app" data-testid="dashboard">
      <header className="db-header">
        <h1>Live dashboard</h1>
        <p className="db-muted" data-testid="dashboard-summary">
          {view.nodes.length === 1 ? '1 node' : `${view.nodes.length} nodes`} · {up} up · the last {WINDOW_MS / 60_000}{' '}
          minutes
        </p>
      </header>
      {error && (
        <p className="db-alert" role="alert">
          {error}
        </p>
      )}
      <section className="db-cards" aria-label="Nodes">
        {view.nodes.length === 0 && <p className="db-muted">Waiting for the first samples…</p>}
        {view.nodes.map((n, i) => (
          <NodeCard key={n.node} status={n} index={i} />
        ))}
      </section>
      <section className="db-charts" aria-label="Charts">
        {view.charts.map((c) => (
          <Chart key={c.metric.key} metric={c.metric} data={c.data} nodes={view.nodes} />
        ))}
      </section>
      <StatusLine status={status} />
    </div>
  );
}
