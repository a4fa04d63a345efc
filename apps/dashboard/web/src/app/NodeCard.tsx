// One node's card: up or down, and the figures of its newest sample.
import { formatBytes, formatMs, formatNumber, formatPct, maxLagMs, socketsText } from '../lib/format';
import type { NodeStatus } from '../lib/history';
import { colourOf } from '../lib/series';

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
            label="Messages per second"
            value={`${formatNumber(last.packetsInPerS)} in · ${formatNumber(last.packetsOutPerS)} out`}
            testId="node-messages"
            wide
          />
          <Figure label="Sockets per namespace" value={socketsText(last.sockets)} testId="node-sockets" wide />
        </dl>
      ) : (
        <p className="db-muted">No sample in the last 5 minutes.</p>
      )}
    </article>
  );
}

function Figure({ label, value, testId, wide = false }: { label: string; value: string; testId: string; wide?: boolean }) {
  return (
    <div className={wide ? 'db-figure db-figure-wide' : 'db-figure'}>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}
