/** The connection status line at the foot of the page. */
import type { ConnectionState } from 'sio-common-web';

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
