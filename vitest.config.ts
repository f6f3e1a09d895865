import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Vite would pick graphql's ESM build while @apollo/* load its CommonJS build: two copies whose
// instanceof checks reject each other. Pin the one Node itself resolves.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');

/**
 * One workspace config, two projects: `unit` (no servers, next to the code) and `integration`
 * (real Postgres, Redis and NATS started once by the global setup on free ports in a temp dir;
 * end-to-end tests also start the subgraph and gateway processes).
 */
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'gateway/src/**/*.test.ts', 'subgraphs/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.test.ts', 'gateway/test/**/*.test.ts', 'subgraphs/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: keep the real servers and test processes from starving each other.
          maxWorkers: 2,
        },
      },
    ],
  },
});
