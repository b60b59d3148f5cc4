#!/usr/bin/env node
// Commands that drain on SIGINT/SIGTERM keep a signal that arrives while they load (a worker
// stopped right after it was started), so these handlers come before anything is imported.
const drains = ['run', 'demo', 'replay'].includes(process.argv[2] ?? '');
const early = [];
const keep = (signal) => early.push(signal);
if (drains) {
  process.on('SIGINT', keep);
  process.on('SIGTERM', keep);
}

// The tane packages ship TypeScript sources; tsx compiles them on load (cached),
// so there is no build step between `npm ci` and `npx tane`.
const { register } = await import('tsx/esm/api');
register();
if (drains) {
  const { installStopSignals, noteStopSignal } = await import('../src/stop-signals.ts');
  installStopSignals();
  process.off('SIGINT', keep);
  process.off('SIGTERM', keep);
  for (const signal of early) noteStopSignal(signal);
}
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
