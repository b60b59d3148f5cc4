/**
 * Runs the benchmarks and writes bench/results/SUMMARY.md.
 *
 *   npm run bench                       every benchmark
 *   npm run bench -- --quick            smaller sizes (passed on to each benchmark)
 *   npm run bench -- --only dedup       one benchmark (repeat --only, or give a comma list)
 *   npm run bench -- --summary-only     rewrite SUMMARY.md from the results there are, running nothing
 *
 * A benchmark is a `bench/<name>.ts` file that exports `main()` and runs it
 * when executed directly; it writes `bench/results/<name>.json`. Each runs in
 * its own child process (`node --import tsx bench/<name>.ts`), so its peak
 * memory is its own. Kafka benchmarks are skipped, with a note, when no broker
 * answers on 127.0.0.1:9092. The summary lists every results file, with the
 * machine, Node version and date it was made on.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const RESULTS_DIR = join(BENCH_DIR, 'results');
/** What this runner measured per benchmark, kept across runs (`--only` updates one entry). */
const RUNS_FILE = join(RESULTS_DIR, 'runs.json');
const SUMMARY_FILE = join(RESULTS_DIR, 'SUMMARY.md');
const KAFKA = { host: '127.0.0.1', port: 9092 };

interface RunRecord {
  status: 'ok' | 'failed' | 'skipped';
  note?: string;
  exitCode?: number;
  wallMs?: number;
  peakRssMiB?: number;
  quick?: boolean;
  machine: string;
  node: string;
  date: string;
}

type Json = Record<string, unknown>;

/** Written in the child before the benchmark: its peak RSS when it exits, for the parent to read. */
const RSS_PRELOAD = `data:text/javascript,${encodeURIComponent(
  "import { writeFileSync } from 'node:fs';" +
    "process.on('exit', () => { try { writeFileSync(process.env.TANE_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)); } catch {} });",
)}`;

function machineLine(): string {
  const cpus = os.cpus();
  const model = (cpus[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
  return `${cpus.length} × ${model}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
}

function exportsMain(source: string): boolean {
  return (
    /export\s+(async\s+)?function\s+main\s*\(/.test(source) ||
    /export\s+const\s+main\s*=/.test(source) ||
    /export\s*\{[^}]*\bmain\b[^}]*\}/.test(source)
  );
}

function kafkaAnswers(timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(KAFKA);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Peak resident memory of a running process so far, from Linux's /proc (0 where there is none). */
function vmHwmKiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function runOne(
  file: string,
  args: string[],
): Promise<{ exitCode: number; wallMs: number; peakKiB: number }> {
  const tmp = mkdtempSync(join(os.tmpdir(), 'tane-bench-'));
  const rssFile = join(tmp, 'maxrss');
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--conditions=@tane/source', '--import', 'tsx', '--import', RSS_PRELOAD, join('bench', file), ...args],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: {
        ...process.env,
        TANE_BENCH_RSS_FILE: rssFile,
        ...(args.includes('--quick') ? { TANE_BENCH_QUICK: '1' } : {}),
      },
    },
  );
  // Polled as a fallback for a child that dies without running its exit handlers.
  let polledKiB = 0;
  const poll = setInterval(() => {
    if (child.pid) polledKiB = Math.max(polledKiB, vmHwmKiB(child.pid));
  }, 250);
  const exitCode = await new Promise<number>((resolve) => {
    child.once('error', () => resolve(127));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  clearInterval(poll);
  const wallMs = performance.now() - started;
  let reportedKiB = 0;
  if (existsSync(rssFile)) reportedKiB = Number(readFileSync(rssFile, 'utf8')) || 0;
  rmSync(tmp, { recursive: true, force: true });
  return { exitCode, wallMs, peakKiB: Math.max(reportedKiB, polledKiB) };
}

function readJson(path: string): Json | undefined {
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

const META_KEYS = new Set([
  'name',
  'benchmark',
  'date',
  'timestamp',
  'node',
  'cpus',
  'cpuModel',
  'memory',
  'machine',
  'description',
  'goals',
  'broker',
  'client',
  'quick',
]);

function formatValue(v: number | string | boolean): string {
  if (typeof v === 'number') {
    return Number.isInteger(v)
      ? v.toLocaleString('en-US')
      : v.toLocaleString('en-US', { maximumFractionDigits: 3 });
  }
  return String(v);
}

/**
 * The numbers worth a glance: a benchmark's own `summary` object when it has
 * one, else its top-level figures (and those one level down), without the
 * machine and date fields.
 */
function keyNumbers(result: Json, max = 8): string {
  const source =
    typeof result.summary === 'object' && result.summary !== null ? (result.summary as Json) : result;
  const out: string[] = [];
  const visit = (obj: Json, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(obj)) {
      if (out.length >= max) return;
      if (depth === 0 && META_KEYS.has(k)) continue;
      if (typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 32)) {
        out.push(`${prefix}${k} ${formatValue(v)}`);
      } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && depth === 0) {
        visit(v as Json, `${k}.`, depth + 1);
      }
    }
  };
  visit(source, '', 0);
  return out.join(' · ') || '–';
}

/** The machine a result names itself, if it does (a string, or an object with cpus/model/memory). */
function resultMachine(result: Json): string | undefined {
  if (typeof result.machine === 'string') return result.machine;
  if (typeof result.machine === 'object' && result.machine !== null) {
    const m = result.machine as Json;
    const model = typeof m.cpuModel === 'string' ? m.cpuModel : typeof m.model === 'string' ? m.model : 'CPU';
    const cpus = typeof m.cpus === 'number' ? `${m.cpus} × ` : '';
    const mem =
      typeof m.memoryGiB === 'number'
        ? `, ${m.memoryGiB} GiB`
        : typeof m.memory === 'number'
          ? `, ${(m.memory / 2 ** 30).toFixed(1)} GiB`
          : '';
    return `${cpus}${model}${mem}`;
  }
  return undefined;
}

/** Falls back on a bare `cpus` count when nothing better is known. */
function cpusOnly(result: Json): string | undefined {
  return typeof result.cpus === 'number' ? `${result.cpus} CPUs` : undefined;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function writeSummary(
  runs: Record<string, RunRecord>,
  notes: string[],
  mode: 'full' | 'quick' | 'summary-only',
): string {
  const files = existsSync(RESULTS_DIR)
    ? readdirSync(RESULTS_DIR)
        .filter((f) => f.endsWith('.json') && join(RESULTS_DIR, f) !== RUNS_FILE)
        .sort()
    : [];
  const rows: string[] = [];
  for (const f of files) {
    const name = basename(f, '.json');
    const path = join(RESULTS_DIR, f);
    const result = readJson(path);
    const run = runs[name];
    if (!result) {
      rows.push(`| ${cell(name)} | (not JSON) | – | – | – | – | – |`);
      continue;
    }
    const date =
      typeof result.date === 'string'
        ? result.date
        : typeof result.timestamp === 'string'
          ? result.timestamp
          : statSync(path).mtime.toISOString();
    const machine = resultMachine(result) ?? run?.machine ?? cpusOnly(result) ?? '–';
    const node = typeof result.node === 'string' ? result.node : (run?.node ?? '–');
    const rss = run?.peakRssMiB !== undefined ? `${run.peakRssMiB} MiB` : '–';
    const wall =
      run?.wallMs !== undefined ? `${(run.wallMs / 1000).toFixed(1)} s${run.quick ? ' (quick)' : ''}` : '–';
    // A result file says itself when it was made with --quick, so it is not read as a full-size one.
    const numbers = `${result.quick === true ? '(quick) ' : ''}${keyNumbers(result)}`;
    rows.push(
      `| ${cell(name)} | ${cell(numbers)} | ${rss} | ${wall} | ${cell(machine)} | ${cell(node)} | ${cell(date.slice(0, 10))} |`,
    );
  }
  for (const [name, run] of Object.entries(runs)) {
    if (!files.includes(`${name}.json`)) {
      rows.push(
        `| ${cell(name)} | (no results: ${run.status}${run.note ? `, ${cell(run.note)}` : ''}) | – | – | – | – | – |`,
      );
    }
  }
  const text = `# Benchmark results

Written by \`npm run bench\`${mode === 'quick' ? ' (`--quick`: smaller sizes)' : mode === 'summary-only' ? ' (`--summary-only`: from the results files, nothing was run)' : ''} on ${new Date().toISOString()}.
This machine: ${machineLine()}, ${os.type()} ${os.release()} ${os.arch()}, Node ${process.version}.
Peak RSS and wall time are measured by the runner around each benchmark's own process.

| benchmark | key numbers | peak RSS | wall time | machine | node | date |
|---|---|---|---|---|---|---|
${rows.join('\n')}
${notes.length ? `\n## Notes\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}
Each row comes from \`bench/results/<benchmark>.json\`; run \`node --import tsx bench/<benchmark>.ts\` to make one again.
`;
  writeFileSync(SUMMARY_FILE, text);
  return text;
}

async function runAll(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      quick: { type: 'boolean', default: false },
      'summary-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('usage: npm run bench -- [--quick] [--only <name>[,<name>…]] [--summary-only]\n');
    return 0;
  }
  if (values['summary-only']) {
    const runs = (readJson(RUNS_FILE) as Record<string, RunRecord> | undefined) ?? {};
    process.stdout.write(`${writeSummary(runs, [], 'summary-only')}\nwritten: ${SUMMARY_FILE}\n`);
    return 0;
  }
  const quick = values.quick ?? false;
  const candidates = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts') && !f.endsWith('.spec.ts'))
    .sort();
  const only = (values.only ?? [])
    .flatMap((o) => o.split(','))
    .map((o) => o.trim().replace(/\.ts$/, ''))
    .filter(Boolean);
  const unknown = only.filter((o) => !candidates.includes(`${o}.ts`));
  if (unknown.length) {
    process.stderr.write(
      `no benchmark named ${unknown.join(', ')}; there are: ${candidates.map((f) => basename(f, '.ts')).join(', ')}\n`,
    );
    return 2;
  }
  const selected = only.length ? candidates.filter((f) => only.includes(basename(f, '.ts'))) : candidates;

  const runs: Record<string, RunRecord> =
    (readJson(RUNS_FILE) as Record<string, RunRecord> | undefined) ?? {};
  const notes: string[] = [];
  const machine = machineLine();
  let kafka: boolean | undefined;
  let failures = 0;
  for (const file of selected) {
    const name = basename(file, '.ts');
    const source = readFileSync(join(BENCH_DIR, file), 'utf8');
    const base = { machine, node: process.version, date: new Date().toISOString() };
    if (!exportsMain(source)) {
      notes.push(`${name}: not run — \`bench/${file}\` does not export \`main()\`.`);
      process.stdout.write(`\n— ${name}: skipped (does not export main())\n`);
      continue;
    }
    if (name.includes('kafka')) {
      kafka ??= await kafkaAnswers();
      if (!kafka) {
        const note = `no Kafka broker answers on ${KAFKA.host}:${KAFKA.port} (start one with \`npm run kafka:start\`)`;
        runs[name] = { ...base, status: 'skipped', note };
        notes.push(`${name}: skipped — ${note}; the table shows its last results, if any.`);
        process.stdout.write(`\n— ${name}: skipped, ${note}\n`);
        continue;
      }
    }
    const args: string[] = [];
    if (quick) {
      // A benchmark that knows no --quick would refuse the flag; it runs at full size instead.
      if (/\bquick\b/i.test(source)) args.push('--quick');
      else notes.push(`${name}: has no \`--quick\`, so it ran at full size.`);
    }
    process.stdout.write(`\n— ${name}: node --import tsx bench/${file} ${args.join(' ')}\n`);
    const { exitCode, wallMs, peakKiB } = await runOne(file, args);
    const measured = {
      ...base,
      exitCode,
      wallMs: Math.round(wallMs),
      quick: args.includes('--quick'),
      ...(peakKiB > 0 ? { peakRssMiB: Math.round(peakKiB / 1024) } : {}),
    };
    if (exitCode === 0) {
      runs[name] = { ...measured, status: 'ok' };
      process.stdout.write(
        `— ${name}: done in ${(wallMs / 1000).toFixed(1)} s, peak RSS ${Math.round(peakKiB / 1024)} MiB\n`,
      );
    } else {
      failures++;
      runs[name] = { ...measured, status: 'failed', note: `exit code ${exitCode}` };
      notes.push(`${name}: failed with exit code ${exitCode}; the table shows its last results, if any.`);
      process.stdout.write(`— ${name}: FAILED (exit code ${exitCode})\n`);
    }
  }
  writeFileSync(RUNS_FILE, `${JSON.stringify(runs, null, 2)}\n`);
  const summary = writeSummary(runs, notes, quick ? 'quick' : 'full');
  process.stdout.write(`\n${summary}\nwritten: ${SUMMARY_FILE}\n`);
  return failures > 0 ? 1 : 0;
}

/** Runs the benchmarks; resolves to the exit code (1 when one failed). */
export async function main(): Promise<number> {
  return runAll();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
