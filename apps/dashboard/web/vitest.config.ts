import { defineConfig } from 'vitest/config';

// Unit tests of the pure parts (samples, the 5-minute history, down detection, chart series, the
// socket glue on a scripted socket); no browser.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
