// The editor's web package: the OT core and the document session.
export * from './ot';
export * from './session';
