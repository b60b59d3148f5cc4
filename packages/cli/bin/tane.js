#!/usr/bin/env node
// The tane packages ship TypeScript sources; tsx compiles them on load (cached),
// so there is no build step between `npm ci` and `npx tane`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
