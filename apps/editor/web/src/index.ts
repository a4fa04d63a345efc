// The editor's web package: the page the app shell mounts, the document session and the OT core.
export { EditorApp, type EditorAppProps } from './app/EditorApp';
export { EditorPage } from './app/EditorPage';
export * from './ot';
export * from './session';
