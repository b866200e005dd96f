import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The emulator and the collector share the two cores of a CI machine: keep the file-level parallelism modest.
    maxWorkers: 2,
  },
});
