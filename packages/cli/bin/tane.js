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

// Between full collections V8 lets the heap grow to several times what is live: in a 300,000-row
// run the live heap stayed at 130-200 MiB while the heap reached 860 MiB and RSS 1.2 GiB. A growth
// factor of 1.5 kept that run at 670 MiB peak RSS for ~12 % more CPU (bench/mix-1m.ts, see
// docs/performance.md). TANE_HEAP_GROWING_PERCENT sets another factor; 0, or the V8 flag given
// to node, leaves V8's own heuristics.
if (drains || process.argv[2] === 'import') {
  const given = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  const percent = process.env.TANE_HEAP_GROWING_PERCENT ?? '50';
  if (!/--heap[-_]growing[-_]percent/.test(given) && /^\d+$/.test(percent) && percent !== '0') {
    const v8 = await import('node:v8');
    v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  }
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
