import { defineConfig } from 'vitest/config';

// Unit tests of the pure parts (the messages' checks, the list's state, the desktop notification's
// rule, the socket glue on a scripted socket); no browser.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
