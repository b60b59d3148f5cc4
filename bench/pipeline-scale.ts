/**
 * The full example pipeline at scale: `tane demo` on an example set whose
 * categories are given a target that adds up to `--rows` accepted rows, on the
 * embedded log, against the simulator with no latency in a process of its own
 * (so the CPU measured is tane's alone). Every 10 s it samples the tane
 * process's CPU time and RSS (from /proc) and the accepted rows (the end of
 * the dataset topic). Writes bench/results/pipeline-scale.json: rows/s over
 * time, CPU ms per accepted row, RSS at 10 / 50 / 90 % of the rows, and with
 * `--profile` the top self-time entries of a CPU profile.
 *
 *   node --conditions=@tane/source --import tsx bench/pipeline-scale.ts [--rows 200000] [--example ja-business] [--profile]
 *     [--node-arg --max-semi-space-size=32 …]   (a Node flag for the tane process)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLocalTransport } from '@tane/transport-local';
import { parse, stringify } from 'yaml';
import { topOfProfile } from './fixtures/profile.ts';
import { writeResult } from './fixtures/write-result.ts';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, '../packages/cli/bin/tane.js');
const TICKS_PER_SECOND = 100;

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * CPU seconds (user + system) and RSS in MiB of a process, from /proc; RSS split
 * into anonymous memory (heaps) and file pages (mapped files such as SQLite's
 * shared WAL index), so growth can be told apart.
 */
function processUsage(
  pid: number,
): { cpuSeconds: number; rssMiB: number; anonMiB: number; fileMiB: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    const mib = (n: number) => Math.round(n / 1024);
    return {
      cpuSeconds,
      rssMiB: mib(kib('VmRSS')),
      anonMiB: mib(kib('RssAnon')),
      fileMiB: mib(kib('RssFile') + kib('RssShmem')),
    };
  } catch {
    return undefined;
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

export async function main(argv: string[] = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string', default: '200000' },
      example: { type: 'string', default: 'ja-business' },
      profile: { type: 'boolean', default: false },
      'node-arg': { type: 'string', multiple: true, default: [] },
      out: { type: 'string', default: 'bench/results/pipeline-scale.json' },
      'tane-log': { type: 'string' },
    },
  });
  const rowsWanted = Number(values.rows);
  const example = resolve(here, '../examples', values.example);
  const dir = mkdtempSync(join(os.tmpdir(), 'tane-bench-scale-'));
  // The pipeline names files beside it and in sibling folders (../benchmarks): copy the lot.
  cpSync(dirname(example), join(dir, 'examples'), { recursive: true });
  const home = join(dir, 'examples', basename(example));
  const categoriesFile = join(home, 'categories.yaml');
  const categories = parse(readFileSync(categoriesFile, 'utf8')) as { categories: { target: number }[] };
  const perCategory = Math.ceil(rowsWanted / categories.categories.length);
  for (const c of categories.categories) c.target = perCategory;
  writeFileSync(categoriesFile, stringify(categories));

  const port = await freePort();
  const sim = spawn(process.execPath, [bin, 'llm-sim', '--port', String(port)], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 3000));
  const profileDir = join(dir, 'profile');
  mkdirSync(profileDir);
  const started = Date.now();
  const tane = spawn(
    process.execPath,
    [
      ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ...values['node-arg']!,
      bin,
      'demo',
      '--example',
      home,
      '--data-dir',
      join(dir, 'data'),
      '--max-rounds',
      '60',
      '--progress',
      'off',
      '--log-level',
      'warn',
    ],
    {
      env: { ...process.env, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, OPENAI_API_KEY: 'sim' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // The last 20,000 characters of tane's output for the error message; all of it
  // in --tane-log when asked (with --node-arg=--trace-gc, the heap after each collection).
  let output = '';
  const logStream = values['tane-log'] ? createWriteStream(values['tane-log']) : undefined;
  const keep = (d: Buffer) => {
    logStream?.write(d);
    output = `${output}${d.toString()}`.slice(-20_000);
  };
  tane.stdout!.on('data', keep);
  tane.stderr!.on('data', keep);
  const done = exited(tane);

  const samples: {
    t: number;
    rows: number;
    cpuSeconds: number;
    rssMiB: number;
    anonMiB: number;
    fileMiB: number;
  }[] = [];
  const log = join(dir, 'data', 'tane.db');
  let transport: Awaited<ReturnType<typeof createLocalTransport>> | undefined;
  let finished = false;
  void done.then(() => {
    finished = true;
  });
  while (!finished) {
    await Promise.race([new Promise((r) => setTimeout(r, 10_000)), done]);
    const usage = tane.pid ? processUsage(tane.pid) : undefined;
    if (!usage) break;
    let rows = samples.at(-1)?.rows ?? 0;
    try {
      transport ??= await createLocalTransport({ path: log });
      rows = (await transport.offsets('tane.dataset')).reduce((n, p) => n + p.high, 0);
    } catch {
      // not created yet
    }
    samples.push({ t: Math.round((Date.now() - started) / 1000), rows, ...usage });
    process.stderr.write(
      `${samples.at(-1)!.t}s: ${rows} rows, ${usage.cpuSeconds.toFixed(0)} CPU s, RSS ${usage.rssMiB} MiB (${usage.anonMiB} anon, ${usage.fileMiB} file)\n`,
    );
  }
  const code = await done;
  logStream?.end();
  const wallSeconds = (Date.now() - started) / 1000;
  await transport?.close();
  // What the model was asked, from the simulator's counters: CPU per call beside CPU per row.
  const simStats = (await fetch(`http://127.0.0.1:${port}/stats`)
    .then((r) => r.json())
    .catch(() => ({}))) as {
    chatCompletions?: number;
    byTask?: Record<string, number>;
  };
  sim.kill('SIGTERM');
  if (code !== 0 && code !== 3) throw new Error(`tane demo exited ${code}:\n${output.slice(-4000)}`);

  const last = samples.at(-1);
  const manifestFile = join(dir, 'data', 'datasets', basename(example), 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    totals?: { accepted?: number; generated?: number };
    balanced?: boolean;
  };
  const accepted = manifest.totals?.accepted ?? last?.rows ?? 0;
  const cpuSeconds = last?.cpuSeconds ?? 0;
  const at = (share: number) => samples.find((s) => s.rows >= share * accepted) ?? last;
  const rates = samples.slice(1).map((s, i) => ({
    t: s.t,
    rowsPerSecond: Math.round((s.rows - samples[i]!.rows) / Math.max(1, s.t - samples[i]!.t)),
  }));
  const profiles = values.profile ? readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')) : [];
  const result = {
    benchmark: 'pipeline-scale',
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}`,
    node: process.version,
    date: new Date().toISOString(),
    example: values.example,
    simulator: 'llm-sim in its own process, no latency',
    rowsWanted,
    accepted,
    generated: manifest.totals?.generated,
    balanced: manifest.balanced,
    wallSeconds: Math.round(wallSeconds),
    cpuSeconds: Math.round(cpuSeconds),
    cpuMsPerAcceptedRow: accepted ? Math.round((cpuSeconds * 1000 * 100) / accepted) / 100 : undefined,
    llmCalls: { total: simStats.chatCompletions, ...simStats.byTask },
    cpuMsPerLlmCall: simStats.chatCompletions
      ? Math.round((cpuSeconds * 1000 * 100) / simStats.chatCompletions) / 100
      : undefined,
    nodeArgs: values['node-arg'],
    peakRssMiB: Math.max(...samples.map((s) => s.rssMiB)),
    rssAt: { '10%': at(0.1)?.rssMiB, '50%': at(0.5)?.rssMiB, '90%': at(0.9)?.rssMiB },
    rowsPerSecond: rates,
    samples,
    ...(profiles[0] ? { topSelfTime: topOfProfile(join(profileDir, profiles[0]), 20) } : {}),
  };
  return writeResult(values.out, result);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
