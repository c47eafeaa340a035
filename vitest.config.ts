import { defineConfig } from 'vitest/config';

// Unit tests: *.test.ts (no network, no servers). Integration tests: *.int.test.ts (start their own
// servers: PostgreSQL databases, docker-registry, podman, a Kubernetes API fake). `npm test` runs both.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
