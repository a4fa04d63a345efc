import { connectionText } from './status';
import type { ConnectionStatus } from './useSocket';

/**
 * The connection status line at the foot of an app page: a dot and connectionText(), styled by
 * base.css (`.status-line`); `className` adds the page's own layout.
 */
export function StatusLine({ status, className }: { status: ConnectionStatus; className?: string }) {
  const classes = ['status-line', `status-line-${status.state}`, className].filter(Boolean);
  return (
    <footer
      className={classes.join(' ')}
      role="status"
      aria-live="polite"
      data-testid="connection-status"
    >
      <span className="status-line-dot" aria-hidden="true" />
      {connectionText(status.state, status.detail)}
    </footer>
  );
}
