/**
 * The reliability soak (issue #7), apart from `npm test`: `npm run test:soak`. Long, and mostly
 * waiting on the client's pacing, so one file at a time with generous timeouts. SOAK_SCALE and
 * SOAK_SEED are read by test/soak/reliability.soak.ts.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
  },
});
