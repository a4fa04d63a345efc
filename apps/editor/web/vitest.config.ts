import { defineConfig } from 'vitest/config';

// The OT core's tests also read the case table shared with the C++ tests (tests/editor).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
