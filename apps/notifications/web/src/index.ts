// The notifications' web package: the provider and the bell the app shell puts in its header, the
// page it mounts at /notifications, and the pure parts.
export { NotificationBell, PAGE_PATH } from './app/NotificationBell';
export {
  NotificationsProvider,
  useNotificationsCenter,
  type NotificationsCenter,
  type NotificationsProviderProps,
} from './app/NotificationsProvider';
export { NotificationsPage } from './app/NotificationsPage';
export * from './lib/protocol';
export * from './lib/state';
export type * from './lib/types';
