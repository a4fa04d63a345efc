// The editor's operational transformation core for the browser: pure TypeScript, no UI.
export * from './textOperation';
export * from './otClient';
