/**
 * The app pages this front end can show, by route. Each page is its workspace package's top-level
 * component taking AppPageProps (sio-common-web), loaded on first visit. An app the server lists
 * in /api/apps without an entry here gets the "not available" page.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { AppPageProps } from 'sio-common-web';

export type AppPage = LazyExoticComponent<ComponentType<AppPageProps>>;

export const APP_PAGES: Readonly<Record<string, AppPage>> = {
  '/chat': lazy(() => import('sio-chat-web').then((m) => ({ default: m.ChatApp }))),
  '/editor': lazy(() => import('sio-editor-web').then((m) => ({ default: m.EditorPage }))),
  '/tictactoe': lazy(() => import('sio-tictactoe-web').then((m) => ({ default: m.TicTacToePage }))),
  '/auction': lazy(() => import('sio-auction-web').then((m) => ({ default: m.AuctionPage }))),
  '/dashboard': lazy(() => import('sio-dashboard-web').then((m) => ({ default: m.DashboardPage }))),
  '/notifications': lazy(() => import('sio-notifications-web').then((m) => ({ default: m.NotificationsPage }))),
  // An app's route is added here, keyed by the path /api/apps gives it.
};
