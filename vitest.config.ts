import { defineConfig } from 'vitest/config';

// Two projects, as ioredis splits its tests: `unit` (pure logic, no services, fast) and
// `functional` (real PostgreSQL, Redis, Docker Engine, Prometheus, Alertmanager started by
// test/harness/global-setup.ts on free loopback ports and stopped by pid afterwards).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
          // Projects with different maxWorkers must run as separate groups: unit first (fast).
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'functional',
          include: ['test/functional/**/*.test.ts'],
          globalSetup: ['test/harness/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Two cores: keep real-service tests from starving each other.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
