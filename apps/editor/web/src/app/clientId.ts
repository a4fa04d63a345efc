// This page load's editor instance name (the openDoc clientId): random, kept across reconnects.
function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return 'p' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const clientId = randomId();
