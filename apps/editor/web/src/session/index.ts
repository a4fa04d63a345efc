// The editor's protocol client: one open document, its OT state, presence and cursors.
export * from './docSession';
export * from './protocol';
export { diffOperation } from './diff';
