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

// An installed tane runs its compiled JavaScript (dist/). Inside the repository, the test
// runner starts node with `--conditions=@tane/source`: the packages then resolve to their
// TypeScript sources, which tsx (a devDependency of the repository) compiles on load.
const conditions = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
if (/(--conditions|-C)[= ]@tane\/source\b/.test(conditions)) {
  const { register } = await import('tsx/esm/api');
  register();
}
if (drains) {
  const { installStopSignals, noteStopSignal } = await import('@tane/cli/stop-signals');
  installStopSignals();
  process.off('SIGINT', keep);
  process.off('SIGTERM', keep);
  for (const signal of early) noteStopSignal(signal);
}
const { main } = await import('@tane/cli');
process.exitCode = await main(process.argv);
