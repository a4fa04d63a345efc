import { defineConfig } from 'vitest/config';

// Unit tests of the pure parts (money, time, the auction's state, the socket glue on a scripted
// socket); no browser.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
