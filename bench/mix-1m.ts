/**
 * Public datasets mixed at the mission's scale: a deterministic generator writes `--rows` rows
 * (default 1,000,000) over three sources in different formats — Alpaca JSONL.gz (40 %), ShareGPT
 * JSONL.zst (30 %), Dolly-style Parquet (30 %) — Japanese and English, with 5 % planted
 * near-duplicates across sources and a few hundred rows copied from a test-set fixture. Then
 * `tane import` → `tane run` (judge off for every source, dedup with scope global,
 * decontamination, the sink with JSONL and Parquet exports) on the embedded log, each as a child
 * process under /usr/bin/time. Writes bench/results/mix-1m.json.
 *
 *   node --import tsx bench/mix-1m.ts [--rows 1000000] [--quick] [--out file.json] [--profile]
 *     [--node-arg --trace-gc …]
 *
 * With `--profile` the `tane run` phase is CPU-profiled and the top self-time entries are kept;
 * `--node-arg` passes a Node flag to that phase. RSS is sampled every 5 s in every phase.
 *
 * With them, in the same stream, a Self-Instruct run on the simulator: ja-business's 20 categories
 * and seeds, `--rows / 4000` examples a category (at least 4), generated, judged and repaired, then
 * deduplicated against the imported rows. Not measured here: the mixture recipe.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { SeededRandom, startLlmSim } from '@tane/llm-sim';
import { fileWriter, parquetWriteRows } from 'hyparquet-writer';
import { topOfProfile } from './fixtures/profile.ts';
import { writeResult } from './fixtures/write-result.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const bin = join(root, 'packages/cli/bin/tane.js');

const EN = (
  'data model stream record dataset token prompt answer question summary customer invoice report meeting ' +
  'schedule budget review project team policy contract product service order delivery payment account ' +
  'system network server database query table index cache memory process thread error retry update'
).split(' ');
const JA =
  'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん会議資料予算報告顧客請求契約製品納期確認対応検討'.split(
    '',
  );

function words(rng: SeededRandom, n: number, ja: boolean): string {
  if (ja) {
    let s = '';
    for (let i = 0; i < n * 3; i++) s += JA[rng.int(0, JA.length - 1)];
    return `${s}。`;
  }
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(EN[rng.int(0, EN.length - 1)] as string);
  return `${out.join(' ')}.`;
}

interface Row {
  instruction: string;
  input: string;
  output: string;
}

/** A near-duplicate: the same row with one word (or character) changed at the end of the output. */
function nearCopy(r: Row): Row {
  return { ...r, output: `${r.output.slice(0, -1)} indeed.` };
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'node-arg': { type: 'string', multiple: true, default: [] },
    },
  });
  const total = Number(values.rows ?? (values.quick ? 50_000 : 1_000_000));
  const outFile = values.out ?? join(here, 'results/mix-1m.json');
  const dir = mkdtempSync(join(os.tmpdir(), 'tane-bench-mix-'));
  mkdirSync(join(dir, 'src/c/data'), { recursive: true });
  mkdirSync(join(dir, 'benchmarks'), { recursive: true });
  // A test set of its own (llm-jp-eval format), one item per planted copy, so every copy is a
  // different item: copies of one item would be near-duplicates of each other, and dedup (which
  // runs first) would leave decontamination only one of them to catch.
  const contaminated = Math.min(300, Math.round(total * 0.001));
  const testItems = Array.from({ length: contaminated }, (_, i) => {
    const r = new SeededRandom(9_000_011 * (i + 1));
    const ja = i % 2 === 0;
    return {
      input: ja ? `質問:${words(r, r.int(12, 20), true)}` : `Question: ${words(r, r.int(12, 20), false)}`,
      output: ja ? `回答${i}` : `answer ${i}`,
    };
  });
  writeFileSync(
    join(dir, 'benchmarks/test.json'),
    JSON.stringify({
      instruction: 'Answer the question.',
      output_length: 20,
      metrics: ['exact_match'],
      few_shots: [],
      samples: testItems,
    }),
  );

  // --- generate ---------------------------------------------------------------------------------
  const genStart = Date.now();
  const nA = Math.round(total * 0.4);
  const nB = Math.round(total * 0.3);
  const nC = total - nA - nB;
  const planted = Math.round(total * 0.05);
  /** A rows that get a near-copy in B or C: every k-th A row. */
  const step = Math.floor(nA / planted);
  const baseA = (i: number): Row => {
    const r = new SeededRandom(1_000_003 * (i + 1));
    const ja = i % 2 === 0;
    return {
      instruction: `${words(r, r.int(8, 24), ja)} #${i}`,
      input: i % 3 === 0 ? words(r, r.int(10, 40), ja) : '',
      output: words(r, r.int(30, 160), ja),
    };
  };
  const plantedPairs: { a: number; target: 'b' | 'c'; index: number }[] = [];
  const gz = createGzip();
  const aOut = createWriteStream(join(dir, 'src/a.jsonl.gz'));
  gz.pipe(aOut);
  for (let i = 0; i < nA; i++) {
    if (!gz.write(`${JSON.stringify(baseA(i))}\n`))
      await new Promise<void>((r) => gz.once('drain', () => r()));
  }
  gz.end();
  await new Promise<void>((r) => aOut.on('close', () => r()));
  // B: ShareGPT, zstd; C: Dolly-style Parquet. Planted copies go alternately to B and C.
  const copyFor = new Map<string, number>();
  for (let k = 0; k < planted; k++) {
    const a = k * step;
    const target = k % 2 ? 'c' : 'b';
    const index = Math.floor(k / 2) * 2 + (target === 'c' ? 1 : 0);
    copyFor.set(`${target}${index}`, a);
    plantedPairs.push({ a, target, index });
  }
  const other = (src: 'b' | 'c', i: number): Row => {
    const a = copyFor.get(`${src}${i}`);
    if (a !== undefined) return nearCopy(baseA(a));
    // Test items go to the odd rows of B (planted near-copies take even ones): half verbatim,
    // half behind a preamble, as contamination usually comes.
    const item = src === 'b' && i % 2 === 1 ? testItems[(i - 1) / 2] : undefined;
    if (item) {
      const preamble = (i - 1) % 4 === 2 ? '次の質問に答えてください。' : '';
      return { instruction: `${preamble}${item.input}`, input: '', output: item.output };
    }
    const r = new SeededRandom(7_000_001 * (i + 1) + (src === 'b' ? 1 : 2));
    const ja = r.next() < 0.5;
    return {
      instruction: `${words(r, r.int(8, 24), ja)} ${src}${i}`,
      input: i % 4 === 0 ? words(r, r.int(10, 40), ja) : '',
      output: words(r, r.int(30, 160), ja),
    };
  };
  const bPath = join(dir, 'src/b.jsonl');
  const bOut = createWriteStream(bPath);
  for (let i = 0; i < nB; i++) {
    const r = other('b', i);
    const conv = [
      ...(i % 10 === 0 ? [{ from: 'system', value: 'You are helpful.' }] : []),
      { from: i % 2 ? 'user' : 'human', value: r.input ? `${r.instruction}\n\n${r.input}` : r.instruction },
      { from: i % 2 ? 'assistant' : 'gpt', value: r.output },
    ];
    if (!bOut.write(`${JSON.stringify({ conversations: conv })}\n`))
      await new Promise<void>((res) => bOut.once('drain', () => res()));
  }
  bOut.end();
  await new Promise<void>((r) => bOut.on('close', () => r()));
  execFileSync('zstd', ['-q', '--rm', '-3', bPath]);
  const perFile = Math.ceil(nC / 2);
  for (let f = 0; f < 2; f++) {
    const from = f * perFile;
    const to = Math.min(nC, from + perFile);
    function* rows() {
      for (let i = from; i < to; i++) {
        const r = other('c', i);
        yield {
          instruction: r.instruction,
          context: r.input,
          response: r.output,
          category: i % 3 ? 'open_qa' : 'brainstorming',
        };
      }
    }
    await parquetWriteRows({
      writer: fileWriter(join(dir, `src/c/data/train-0000${f}-of-00002.parquet`)),
      rows: rows(),
      columns: ['instruction', 'context', 'response', 'category'].map((name) => ({
        name,
        type: 'STRING' as const,
      })),
      rowGroupSize: 20_000,
    });
  }
  const generateSeconds = (Date.now() - genStart) / 1000;

  // The Self-Instruct side: ja-business's 20 categories and seeds, generated on the simulator into
  // the same `generated` topic, judged (the imported rows are not), repaired, deduplicated against
  // every imported row.
  cpSync(join(root, 'examples/ja-business/categories.yaml'), join(dir, 'categories.yaml'));
  cpSync(join(root, 'examples/ja-business/seeds'), join(dir, 'seeds'), { recursive: true });
  const perCategory = Math.max(4, Math.round(total / 4000));

  writeFileSync(
    join(dir, 'pipeline.yaml'),
    `pipeline: mix1m
topics: { prefix: tane.mix1m., partitions: 1 }
limits: { maxInFlightPerPartition: 2048 }
sources:
  - { name: alpaca, path: src/a.jsonl.gz, format: alpaca, license: CC-BY-4.0, judge: none, category: { fixed: general } }
  - { name: sharegpt, path: src/b.jsonl.zst, format: sharegpt, license: Apache-2.0, judge: none, category: { fixed: general } }
  - name: dolly
    path: src/c
    format: dolly
    license: CC-BY-SA-3.0
    judge: none
    category: { field: category, map: { open_qa: general }, fallback: general }
inputs: { tasks: router, generated: judge, dataset: sink, rejected: sink, dlq: sink }
stages:
  router: { plugin: "@tane/plugin-category-router@^0.1.0", config: { categories: categories.yaml, quota: { enabled: false } }, routes: { task: sampler, quota_reached: drop } }
  sampler: { plugin: "@tane/plugin-few-shot-sampler@^0.1.0", routes: { task: generator } }
  generator: { plugin: "@tane/plugin-mixtral-generator@^0.1.0", concurrency: 64, routes: { candidate: topic:generated, filtered: topic:rejected } }
  judge: { plugin: "@tane/plugin-judge@^0.1.0", concurrency: 64, maxVisits: 3, routes: { accept: dedup, repair: repairer, reject: topic:rejected } }
  repairer: { plugin: "@tane/plugin-repairer@^0.1.0", concurrency: 64, config: { maxAttempts: 2 }, routes: { repaired: judge, give_up: topic:rejected } }
  dedup: { plugin: "@tane/plugin-dedup@^0.1.0", config: { threshold: 0.7, scope: global }, routes: { unique: decontaminate, duplicate: topic:rejected } }
  decontaminate:
    plugin: "@tane/plugin-decontaminate@^0.1.0"
    config: { testSets: [{ path: benchmarks/test.json }] }
    routes: { clean: topic:dataset, contaminated: topic:rejected }
  sink: { plugin: "@tane/plugin-dataset-sink@^0.1.0", config: { formats: [plain, parquet] }, routes: {} }
`,
  );

  const profileDir = join(dir, 'profile');
  mkdirSync(profileDir);
  const sim = await startLlmSim({});
  const env = { ...process.env, OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-sim' };
  const timed = (args: string[]) =>
    new Promise<{
      wall: number;
      cpu: number;
      rssMiB: number;
      stderr: string;
      code: number | null;
      samples: Sample[];
    }>((res) => {
      const tfile = join(dir, `time-${args[0]}.txt`);
      const child = spawn(
        '/usr/bin/time',
        [
          '-f',
          '%e %U %S %M',
          '-o',
          tfile,
          process.execPath,
          ...(values.profile && args[0] === 'run' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
          ...(args[0] === 'run' ? values['node-arg']! : []),
          bin,
          ...args,
        ],
        {
          cwd: dir,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      let lastLine = '';
      child.stderr.on('data', (d) => {
        stderr += d;
        const lines = String(d)
          .split('\n')
          .filter((l) => l.trim() !== '');
        if (lines.length > 0) lastLine = lines[lines.length - 1]!;
      });
      // Every 5 s: the node process's RSS (the child of /usr/bin/time) and the dataset rows the
      // last progress line reported, so memory and speed can be read over the run.
      const started = performance.now();
      const samples: Sample[] = [];
      const sampler = setInterval(() => {
        const rss = childRssMiB(child.pid);
        if (rss === undefined) return;
        const m = /dataset ([\d.]+)(k?)/.exec(lastLine);
        samples.push({
          seconds: Math.round((performance.now() - started) / 1000),
          rssMiB: rss,
          ...(m ? { datasetRows: Math.round(Number(m[1]) * (m[2] ? 1000 : 1)) } : {}),
        });
      }, 5000);
      child.stdout.on('data', (d) => process.stderr.write(d));
      child.on('close', (code) => {
        clearInterval(sampler);
        const [wall, user, sys, rss] = readFileSync(tfile, 'utf8')
          .trim()
          .split('\n')
          .pop()!
          .split(' ')
          .map(Number);
        res({ wall: wall!, cpu: user! + sys!, rssMiB: Math.round(rss! / 1024), stderr, code, samples });
      });
    });
  const t = ['--transport', 'local:t.db'];
  const imp = await timed(['import', 'pipeline.yaml', ...t, '--max-bad-shown', '5']);
  const seedFiles = readdirSync(join(dir, 'seeds')).map((f) => `seeds/${f}`);
  const seeds = await timed(['publish', 'seeds', ...seedFiles, '--pipeline', 'pipeline.yaml', ...t]);
  const tasks = await timed(['generate', 'pipeline.yaml', '--per-category', String(perCategory), ...t]);
  if (seeds.code !== 0 || tasks.code !== 0)
    throw new Error(`seeds or tasks not published:\n${seeds.stderr}\n${tasks.stderr}`);
  const run = await timed(['run', 'pipeline.yaml', '--until-idle', '--progress', 'plain', ...t]);
  await sim.close();

  // --- check ------------------------------------------------------------------------------------
  const ds = join(dir, '.tane/datasets/mix1m');
  const manifest = JSON.parse(readFileSync(join(ds, 'manifest.json'), 'utf8'));
  const dupLines = readFileSync(join(ds, 'duplicates.jsonl'), 'utf8').split('\n').filter(Boolean);
  // a planted copy is caught when its row is marked duplicate: match by the copy's output, which
  // is unique to it (ShareGPT copies carry instruction and input in one turn)
  const dupOutputs = new Set<string>();
  for (const l of dupLines) dupOutputs.add((JSON.parse(l) as { output: string }).output);
  let caught = 0;
  for (const p of plantedPairs) if (dupOutputs.has(nearCopy(baseA(p.a)).output)) caught++;
  const rejectedLines = readFileSync(join(ds, 'rejected.jsonl'), 'utf8').split('\n').filter(Boolean);
  const contaminatedFound = rejectedLines.filter((l) => l.includes('"contaminated"')).length;
  // A planted test item is caught when its row is rejected as contaminated (matched by its output).
  const plantedOutputs = new Set(testItems.map((t) => t.output));
  const contaminatedCaught = rejectedLines.filter((l) => {
    const row = JSON.parse(l) as { output?: string };
    return l.includes('"contaminated"') && row.output !== undefined && plantedOutputs.has(row.output);
  }).length;
  const tot = manifest.totals;
  // Rows of the imported sources (the manifest counts them per source); the rest were generated.
  const bySource = Object.values(manifest.sources as Record<string, { rows: number; accepted: number }>);
  const importedIn = bySource.reduce((n, x) => n + x.rows, 0);
  const importedAccepted = bySource.reduce((n, x) => n + x.accepted, 0);
  const importSamples = [...imp.stderr.matchAll(/import: (\d+) rows, (\d+)\/s/g)].map((m) => ({
    rows: Number(m[1]),
    rowsPerSecond: Number(m[2]),
  }));
  const parquetRows = readdirSync(join(ds, 'data')).length;
  const wall = generateSeconds + imp.wall + run.wall;
  const profiles = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
  const result = {
    benchmark: 'mix-1m',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    rows: total,
    sources: { alpaca: nA, sharegpt: nB, dolly: nC },
    planted: { nearDuplicates: planted, testSetCopies: contaminated },
    generateSeconds,
    import: {
      wallSeconds: imp.wall,
      cpuSeconds: imp.cpu,
      peakRssMiB: imp.rssMiB,
      exit: imp.code,
      samples: importSamples,
    },
    run: {
      wallSeconds: run.wall,
      cpuSeconds: run.cpu,
      peakRssMiB: run.rssMiB,
      exit: run.code,
      samples: run.samples,
      ...(profiles[0] ? { topSelfTime: topOfProfile(join(profileDir, profiles[0]), 25) } : {}),
    },
    totals: {
      in: tot.generated,
      accepted: tot.accepted,
      duplicates: tot.duplicates,
      rejected: tot.rejected,
      dlq: tot.dlq,
    },
    contaminatedRejected: contaminatedFound,
    decontamination: {
      planted: contaminated,
      caught: contaminatedCaught,
      recall: contaminated ? contaminatedCaught / contaminated : 1,
    },
    lostRows: tot.generated - tot.accepted - tot.duplicates - tot.rejected - tot.dlq,
    importedRowsMissing: total - importedIn,
    selfInstruct: {
      categories: 20,
      perCategory,
      candidates: tot.generated - importedIn,
      accepted: tot.accepted - importedAccepted,
    },
    recall: plantedPairs.length ? caught / plantedPairs.length : 1,
    parquetFiles: parquetRows,
    parquetRows: (manifest.exports as { format: string; rows: number }[])
      .filter((e) => e.format === 'parquet')
      .reduce((n, e) => n + e.rows, 0),
    rowsPerSecondOverall: Math.round(total / (imp.wall + run.wall)),
    goals: {
      wallSecondsMax: 600,
      peakRssMiBMax: 2048,
      recallMin: 0.95,
      met:
        imp.wall + run.wall <= 600 &&
        Math.max(imp.rssMiB, run.rssMiB) <= 2048 &&
        caught / Math.max(1, plantedPairs.length) >= 0.95 &&
        tot.generated - tot.accepted - tot.duplicates - tot.rejected - tot.dlq === 0,
    },
    wallSecondsIncludingGeneration: wall,
    notYetMeasured: 'the mixture recipe',
    runProgress: run.stderr
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-12),
    workdir: dir,
  };
  writeResult(outFile, result);
}

interface Sample {
  seconds: number;
  rssMiB: number;
  datasetRows?: number;
}

/** RSS of the (only) child of `pid`, from /proc; undefined once it has gone. */
function childRssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ');
    const status = readFileSync(`/proc/${children[0]}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status);
    return kb ? Math.round(Number(kb[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
