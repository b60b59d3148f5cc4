/**
 * How long `tane --help` takes from process start to exit, for the built CLI (what an
 * installed `@tane/cli` runs: `dist/`, no TypeScript compiler at run time) and, for
 * comparison, for the TypeScript sources loaded through tsx (how the repository ran before
 * the packages were built, and how its tests still run them).
 *
 *   node --import tsx bench/cli-startup.ts [--runs 15] [--quick]
 *
 * Builds first (`npm run build`, incremental). Each figure is the median of `--runs` runs
 * after one warm-up run (`--quick`: 5 runs). Writes bench/results/cli-startup.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeResult } from './fixtures/measure-transport.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const BIN = resolve(ROOT, 'packages/cli/bin/tane.js');

function timeRuns(args: string[], runs: number, env: NodeJS.ProcessEnv): { medianMs: number; minMs: number } {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
    if (i > 0) times.push(ms); // the first run warms the file cache
  }
  times.sort((a, b) => a - b);
  return { medianMs: Math.round(times[Math.floor(times.length / 2)]!), minMs: Math.round(times[0]!) };
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: 'string' }, quick: { type: 'boolean' } },
  });
  const runs = Number(values.runs ?? (values.quick ? 5 : 15));
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const env = { ...process.env, NODE_OPTIONS: '' };
  const built = timeRuns([BIN, '--help'], runs, env);
  const builtCommandHelp = timeRuns([BIN, 'run', '--help'], runs, env);
  const sources = timeRuns(['--conditions=@tane/source', BIN, '--help'], runs, env);
  process.stdout.write(
    `tane --help: ${built.medianMs} ms built (min ${built.minMs}), ${sources.medianMs} ms from sources via tsx; ` +
      `tane run --help: ${builtCommandHelp.medianMs} ms built\n`,
  );
  writeResult('cli-startup', {
    date: new Date().toISOString(),
    node: process.version,
    runs,
    ...(values.quick ? { quick: true } : {}),
    helpBuiltMs: built.medianMs,
    helpBuiltMinMs: built.minMs,
    runHelpBuiltMs: builtCommandHelp.medianMs,
    helpSourcesTsxMs: sources.medianMs,
    budgetMs: 300,
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
