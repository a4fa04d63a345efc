// The desktop notifications' state, and the button that asks the browser for them (a click is
// the user gesture the browser wants).
import type { DesktopPermission } from '../lib/desktop';

export function DesktopSwitch({ permission, onEnable }: { permission: DesktopPermission; onEnable: () => void }) {
  if (permission === 'default')
    return (
      <button type="button" className="btn btn-secondary btn-small" data-testid="enable-desktop" onClick={onEnable}>
        Enable desktop notifications
      </button>
    );
  const text =
    permission === 'granted'
      ? 'Desktop notifications on while this tab is hidden'
      : permission === 'denied'
        ? 'Desktop notifications are blocked in the browser’s site settings'
        : 'This browser has no desktop notifications';
  return (
    <p className="nt-desktop muted" data-testid="desktop-state" data-permission={permission}>
      {text}
    </p>
  );
}
