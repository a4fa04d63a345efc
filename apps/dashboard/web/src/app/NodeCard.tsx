// One node's card: up or down, and the figures of its newest sample.
import { formatBytes, formatMs, formatNumber, formatPct, maxLagMs } from '../lib/format';
import type { NodeStatus } from '../lib/history';
import { colourOf } from '../lib/series';

/** "/ 3 · /chat 1", namespaces by name; "none" without sockets. */
export function socketsText(sockets: Record<string, number>): string {
  const entries = Object.entries(sockets).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([nsp, n]) => `${nsp} ${n}`).join(' · ') : 'none';
}

export function NodeCard({ status, index }: { status: NodeStatus; index: number }) {
  const { node, up, last } = status;
  const id = `db-node-${index}`;
  return (
    <article className={`db-card${up ? '' : ' db-card-down'}`} aria-labelledby={id} data-testid="node-card" data-node={node} data-state={up ? 'up' : 'down'}>
      <header className="db-card-header">
        <span className="db-swatch" style={{ background: colourOf(index) }} aria-hidden="true" />
        <h3 id={id}>{node}</h3>
        <span className={`db-badge ${up ? 'db-badge-up' : 'db-badge-down'}`} data-testid="node-state">
          {up ? 'Up' : 'Down'}
        </span>
      </header>
      {last ? (
        <dl className="db-figures">
          <Figure label="Connections" value={String(last.connections)} testId="node-connections" />
          <Figure label="Rooms" value={String(last.rooms)} testId="node-rooms" />
          <Figure label="CPU" value={formatPct(last.cpuPct)} testId="node-cpu" />
          <Figure label="RSS" value={formatBytes(last.rssBytes)} testId="node-rss" />
          <Figure label="Loop lag (max)" value={formatMs(maxLagMs(last.loopLagMs))} testId="node-lag" />
          <Figure
            label="Messages/s"
            value={`${formatNumber(last.packetsInPerS)} in · ${formatNumber(last.packetsOutPerS)} out`}
            testId="node-messages"
          />
          <div className="db-figure db-figure-wide">
            <dt>Sockets per namespace</dt>
            <dd data-testid="node-sockets">{socketsText(last.sockets)}</dd>
          </div>
        </dl>
      ) : (
        <p className="db-muted">No sample in the last 5 minutes.</p>
      )}
    </article>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="db-figure">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}
