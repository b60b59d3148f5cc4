#!/usr/bin/env node
// The tane packages ship TypeScript sources; tsx compiles them on load (cached),
// so there is no build step between `npm ci` and `npx tane`.
import { register } from 'tsx/esm/api';

register();
// Commands that drain on SIGINT/SIGTERM keep a signal that arrives while they load.
if (['run', 'demo', 'replay'].includes(process.argv[2] ?? '')) {
  const { installStopSignals } = await import('../src/stop-signals.ts');
  installStopSignals();
}
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
