import { defineConfig } from 'vitest/config';

// Unit tests of the pure parts (message merge, room list paging); no browser.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
