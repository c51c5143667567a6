import { defineConfig } from 'vitest/config';
import ReplayLastSequencer from './tests/support/sequencer';

// Two projects: `unit` (pure code, next to the source, no services) and `integration`
// (tests/: real Postgres, real Temporal dev server, real worker processes, real browser).
export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    // The replay gate runs last, over the histories of everything before it.
    sequence: { sequencer: ReplayLastSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{core,workers,service,orchestrator,prisma,client,web}/src/**/*.test.ts', 'bench/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./tests/support/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
