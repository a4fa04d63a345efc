/** The connection status line at the foot of an app page (the auction's, the dashboard's). */
import type { ConnectionState } from './useSocket';

export function connectionText(state: ConnectionState, detail: string | null): string {
  switch (state) {
    case 'connected':
      return 'Connected · live';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return detail ? `Reconnecting (${detail})…` : 'Reconnecting…';
    case 'unauthorized':
      return 'Signed out: please log in again';
  }
}
