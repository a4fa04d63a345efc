/** What every app of the demo shares: account REST client, session, socket hook, acks, login screen, toasts. */
export { ACK_TIMEOUT_MS, call, errorOf, NO_ANSWER, succeeded, type AckSocket } from './acks';
export { accounts, ApiError, MIN_PASSWORD, request, send, USERNAME_RE, type LoginResponse } from './api';
export { AuthScreen } from './AuthScreen';
export { idInPath, useIdRoute } from './idRoute';
export { Logo } from './Logo';
export { useSession, type SessionState } from './session';
export { connectionText } from './status';
export { StatusLine } from './StatusLine';
export { ToastProvider, useToasts, type Toast } from './toasts';
export { useNow } from './useNow';
export { sameId, type AppPageProps, type Id, type Session, type User } from './types';
export {
  createSocket,
  useConnectionStatus,
  useSocket,
  type ConnectionState,
  type ConnectionStatus,
  type UseSocketOptions,
} from './useSocket';
