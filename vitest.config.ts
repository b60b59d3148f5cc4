import { defineConfig } from 'vitest/config';

// Tests run the TypeScript sources, never a stale build: the `@tane/source` export condition
// points every @tane package at its `src/` (vite's resolver here, Node's own in the workers and
// in every child process they start, which inherit NODE_OPTIONS; `bin/tane.js` then loads tsx).
const SOURCE = '--conditions=@tane/source';
process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, SOURCE].filter(Boolean).join(' ');

// One vitest run over every package and plugin. Integration tests that need a
// broker or a child process live in `test/` folders and get longer timeouts.
export default defineConfig({
  // Not vite's `module` condition: some dependencies (@opentelemetry/api) point it at ESM that
  // Node cannot load (imports without file extensions).
  resolve: { conditions: ['@tane/source', 'node', 'development|production'] },
  ssr: { resolve: { conditions: ['@tane/source', 'node', 'development|production'] } },
  test: {
    include: [
      'packages/*/src/**/*.spec.ts',
      'packages/*/test/**/*.test.ts',
      'plugins/*/src/**/*.spec.ts',
      'plugins/*/test/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    execArgv: [SOURCE],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
