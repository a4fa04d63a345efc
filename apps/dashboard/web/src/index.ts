// The live dashboard's web package: the page the app shell mounts at /dashboard, and its pure parts.
export { DashboardApp, type DashboardAppProps } from './app/DashboardApp';
export { DashboardPage } from './app/DashboardPage';
export * from './lib/format';
export * from './lib/frame';
export * from './lib/history';
export * from './lib/protocol';
export * from './lib/series';
export * from './lib/session';
export type * from './lib/types';
