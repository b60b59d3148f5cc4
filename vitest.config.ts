import { defineConfig } from 'vitest/config';

// One vitest run over every package and plugin. Integration tests that need a
// broker or a child process live in `test/` folders and get longer timeouts.
export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.spec.ts',
      'packages/*/test/**/*.test.ts',
      'plugins/*/src/**/*.spec.ts',
      'plugins/*/test/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
