// The live auction's web package: the page the app shell mounts at /auction, and its pure parts.
export { AuctionApp, type AuctionAppProps } from './app/AuctionApp';
export { AuctionPage } from './app/AuctionPage';
export * from './lib/auctionState';
export * from './lib/money';
export * from './lib/time';
export type * from './lib/types';
