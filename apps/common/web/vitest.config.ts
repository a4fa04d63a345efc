import { defineConfig } from 'vitest/config';

// Unit tests of the parts that need no browser.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
