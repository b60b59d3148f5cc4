/**
 * One reproducibility scenario: the same seeds and pipeline through `tane run`
 * workers on a real transport — with worker and sink crashes (SIGKILL) or a
 * broker outage if asked — and what came out: the dataset's rows with a
 * content hash each, every id with two contents on any topic, near-duplicate
 * pairs in the dataset, and the LLM calls the simulator answered.
 *
 * Used by `bench/reproducibility.ts` (2,000 tasks) and by the CI test
 * `packages/cli/test/reproducibility.test.ts` (a small version).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson, parseRecord, type Transport } from '@tane/core';
import { groupCaughtUp } from '@tane/core/engine';
import { startLlmSim } from '@tane/llm-sim';
import { type DedupField, rougeL, rougeTokens } from '@tane/plugin-dedup';
import { createKafkaTransport } from '@tane/transport-kafka';
import { createLocalTransport } from '@tane/transport-local';
import { parse, stringify } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TANE = join(ROOT, 'packages/cli/bin/tane.js');
const KAFKA_SH = join(ROOT, 'deploy/kafka/kafka.sh');

export type ScenarioTransport = { kind: 'local' } | { kind: 'kafka'; brokers: string };

export interface ScenarioOptions {
  name: string;
  /** An example folder (pipeline.yaml, categories.yaml, seeds/). */
  example: string;
  transport: ScenarioTransport;
  /** `tane run` worker processes (the sink runs as one more process of its own pipeline). */
  workers: number;
  /** How tasks are published: one round, or rounds until every category has N accepted. */
  plan: { perCategory: number } | { untilAccepted: number; maxRounds: number };
  /** SIGKILL random workers and the sink, each restarted after `restartMs`. */
  kills?: { count: number; seed: number; firstAfterMs: number; gapMs: [number, number]; restartMs: number };
  /**
   * Kafka only: stop the broker (on `port`, started by the scenario) once the run is under way —
   * `afterMs` after the start and at least `afterGenerated` candidates on `generated` — for `downMs`.
   */
  brokerOutage?: { port: number; afterMs: number; afterGenerated?: number; downMs: number };
  /** Simulator latency, so a run lasts long enough for crashes to land mid-run. */
  latency?: { medianMs: number; p99Ms: number };
  partitions?: number;
  maxInFlightPerPartition?: number;
  /** ROUGE-L F1 at or above which two dataset rows count as near-duplicates (the pipeline's threshold). */
  nearDuplicateThreshold?: number;
  log?: (line: string) => void;
  timeoutMs?: number;
}

export interface ScenarioResult {
  name: string;
  rows: number;
  /** sha-256 over the sorted `id:row hash` lines: equal fingerprints, equal datasets. */
  fingerprint: string;
  rowHashes: Record<string, string>;
  llmCalls: { generate: number; judge: number; repair: number; total: number };
  wallMs: number;
  kills: { atMs: number; target: string }[];
  outage?: { stoppedAtMs: number; startedAtMs: number };
  /** Ids that appear with two different contents on one topic (must be empty). */
  conflicts: { topic: string; id: string }[];
  /** Messages per topic and distinct ids per topic (equal under exactly-once). */
  topics: Record<string, { messages: number; ids: number }>;
  /** Dataset rows of one category whose instructions are near-duplicates (must be empty). */
  nearDuplicates: { a: string; b: string; rougeL: number }[];
  manifest: { balanced: boolean; totals: Record<string, number> };
  /** Offsets delivered but not committed can be repeated after a crash: the cap that bounds a kill's repeats. */
  inFlightCap: number;
  partitions: number;
}

interface Proc {
  label: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The two pipelines a scenario runs, as written. */
interface ScenarioPipelines {
  /** The workers' pipeline file (everything but the sink) and its consumer group. */
  workers: string;
  workersGroup: string;
  /** The sink's own pipeline file and its consumer group. */
  sink: string;
  sinkGroup: string;
  /** The cap of uncommitted offsets per partition both run with. */
  inFlightCap: number;
  /** Dedup's near-duplicate criterion. */
  threshold: number;
  fields: DedupField[];
}

/** Writes the workers' pipeline (everything but the sink) and the sink's own pipeline. */
function writePipelines(options: ScenarioOptions, dir: string, prefix: string): ScenarioPipelines {
  const source = parse(readFileSync(join(options.example, 'pipeline.yaml'), 'utf8')) as {
    pipeline: string;
    topics?: Record<string, unknown>;
    limits?: Record<string, unknown>;
    inputs: Record<string, string>;
    stages: Record<string, { plugin: string; config?: Record<string, unknown>; routes: unknown }>;
  };
  // The pipeline may name files beside it and in sibling folders (../benchmarks): copy the lot.
  const examples = dirname(resolve(options.example));
  cpSync(examples, join(dir, 'examples'), { recursive: true });
  const home = join(dir, 'examples', basename(resolve(options.example)));
  const sinkId = Object.keys(source.stages).find((id) => source.stages[id]!.plugin.includes('dataset-sink'));
  if (!sinkId) throw new Error(`${options.example}/pipeline.yaml has no dataset-sink stage`);
  const topics = { prefix, partitions: options.partitions ?? 4 };
  const limits: Record<string, unknown> & { maxInFlightPerPartition?: number } = {
    ...(source.limits ?? {}),
    ...(options.maxInFlightPerPartition ? { maxInFlightPerPartition: options.maxInFlightPerPartition } : {}),
  };
  const workerStages = Object.fromEntries(Object.entries(source.stages).filter(([id]) => id !== sinkId));
  const workerInputs = Object.fromEntries(
    Object.entries(source.inputs).filter(([, stage]) => stage !== sinkId),
  );
  const sinkInputs = Object.fromEntries(
    Object.entries(source.inputs).filter(([, stage]) => stage === sinkId),
  );
  const workers = join(home, 'workers.yaml');
  const sink = join(home, 'sink.yaml');
  writeFileSync(
    workers,
    stringify({
      pipeline: `${source.pipeline}-workers`,
      topics,
      limits,
      inputs: workerInputs,
      stages: workerStages,
    }),
  );
  const sinkStage = source.stages[sinkId]!;
  writeFileSync(
    sink,
    stringify({
      pipeline: `${source.pipeline}-sink`,
      topics,
      limits,
      inputs: sinkInputs,
      stages: { [sinkId]: { ...sinkStage, config: { ...(sinkStage.config ?? {}), dir: './dataset' } } },
    }),
  );
  const dedup = Object.values(source.stages).find((s) => s.plugin.includes('plugin-dedup'));
  const rouge = (dedup?.config?.rougeL as { threshold?: number } | undefined)?.threshold;
  const fields = (dedup?.config?.fields as DedupField[] | undefined) ?? ['instruction', 'input'];
  return {
    workers,
    workersGroup: `${prefix}${source.pipeline}-workers`,
    sink,
    sinkGroup: `${prefix}${source.pipeline}-sink`,
    inFlightCap: limits.maxInFlightPerPartition ?? 256,
    threshold: options.nearDuplicateThreshold ?? rouge ?? 0.7,
    fields,
  };
}

async function openTransport(
  t: ScenarioTransport,
  dir: string,
): Promise<{ transport: Transport; url: string }> {
  if (t.kind === 'local') {
    const path = join(dir, 'tane.db');
    return { transport: await createLocalTransport({ path }), url: `local:${path}` };
  }
  return { transport: await createKafkaTransport({ brokers: [t.brokers] }), url: `kafka://${t.brokers}` };
}

function kafka(action: 'start' | 'stop', port: number): void {
  const r = spawnSync('bash', [KAFKA_SH, action], {
    env: { ...process.env, TANE_KAFKA_PORT: String(port) },
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (r.status !== 0) throw new Error(`kafka.sh ${action} on port ${port} failed:\n${r.stdout}\n${r.stderr}`);
}

/** Every record on a topic (read_committed on Kafka), as id → content hashes seen. */
async function topicContents(transport: Transport, topic: string) {
  const byId = new Map<string, Set<string>>();
  let messages = 0;
  if (!(await transport.listTopics()).some((t) => t.name === topic)) return { byId, messages };
  for await (const m of transport.read(topic)) {
    if (m.control) continue;
    messages++;
    const r = parseRecord(m.value);
    // Trace headers differ per attempt by design; everything else is content.
    const hash = sha(canonicalJson({ ...r, headers: {} }));
    let set = byId.get(r.id);
    if (!set) byId.set(r.id, (set = new Set()));
    set.add(hash);
  }
  return { byId, messages };
}

/** Runs one scenario from a fresh folder and topic prefix, and checks what came out. */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const dir = mkdtempSync(join(tmpdir(), `tane-repro-${options.name}-`));
  const prefix = `repro-${options.name}-${randomUUID().slice(0, 8)}.`;
  const files = writePipelines(options, dir, prefix);
  const transportOption =
    options.transport.kind === 'kafka' && options.brokerOutage
      ? { kind: 'kafka' as const, brokers: `127.0.0.1:${options.brokerOutage.port}` }
      : options.transport;
  if (options.brokerOutage) kafka('start', options.brokerOutage.port);
  const { transport, url } = await openTransport(transportOption, dir);
  const sim = await startLlmSim({ port: 0, ...(options.latency ? { latency: options.latency } : {}) });
  const env = {
    ...process.env,
    OPENAI_BASE_URL: sim.url,
    OPENAI_API_KEY: 'sk-simulator-no-key',
    TANE_TRANSPORT: url,
  };
  const procs = new Set<Proc>();
  const start = (label: string, args: string[]): Proc => {
    // Workers log at info, so the scenario can tell when one has joined its group ("running").
    const extra = args[0] === 'run' ? ['--progress', 'off', '--log-level', 'info'] : ['--log-level', 'warn'];
    const child = spawn(process.execPath, [TANE, ...args, ...extra], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const p: Proc = { label, child, exited, output: () => out };
    procs.add(p);
    void exited.then((code) => {
      procs.delete(p);
      log(`${label} exited ${code ?? child.signalCode} at ${(elapsed() / 1000).toFixed(1)} s`);
    });
    return p;
  };
  const runWorker = (i: number) =>
    start(`worker-${i}`, ['run', files.workers, '--data-dir', join(dir, '.tane')]);
  const runSink = () => start('sink', ['run', files.sink, '--data-dir', join(dir, '.tane-sink')]);
  const kills: ScenarioResult['kills'] = [];
  let outage: ScenarioResult['outage'];
  try {
    const seedsDir = join(options.example, 'seeds');
    const seedFiles = readdirSync(seedsDir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => join(seedsDir, f));
    const pub = start('publish', ['publish', 'seeds', ...seedFiles, '--pipeline', files.workers]);
    if ((await pub.exited) !== 0) throw new Error(`tane publish failed:\n${pub.output()}`);

    const workers: Proc[] = Array.from({ length: options.workers }, (_, i) => runWorker(i));
    let sink = runSink();
    const planArgs =
      'perCategory' in options.plan
        ? ['--per-category', String(options.plan.perCategory)]
        : [
            '--until-accepted',
            String(options.plan.untilAccepted),
            '--max-rounds',
            String(options.plan.maxRounds),
          ];
    /** True until every task is processed: crashes and the outage land while work goes on. */
    let generating = true;
    const generate = (async () => {
      for (let attempt = 1; ; attempt++) {
        const g = start('generate', ['generate', files.workers, ...planArgs, '--run-id', 'repro']);
        const code = await g.exited;
        // The same run id publishes the same tasks: after a broker outage, publishing again is harmless.
        if (code === 0 || code === 3) return;
        log(g.output().slice(-2000));
        if (attempt >= 5) throw new Error(`tane generate failed ${attempt} times:\n${g.output()}`);
        log(`generate exited ${code}; again (attempt ${attempt + 1})`);
        await sleep(2000);
      }
    })();
    const { workersGroup, sinkGroup } = files;
    const workerTopics = ['tasks', 'generated'].map((t) => `${prefix}${t}`);
    // Published is not processed (`--per-category` returns at once): the run goes on until the
    // workers' group has committed every task and candidate.
    const processed = generate
      .then(async () => {
        while (!(await groupCaughtUp(transport, workersGroup, workerTopics).catch(() => false)))
          await sleep(500);
      })
      .finally(() => {
        generating = false;
      });

    const chaos = (async () => {
      const k = options.kills;
      if (!k) return;
      const random = seededRandom(k.seed);
      await sleep(k.firstAfterMs);
      while (kills.length < k.count && generating) {
        const pick = Math.floor(random() * (options.workers + 1));
        const target = pick === options.workers ? 'sink' : `worker-${pick}`;
        const victim = pick === options.workers ? sink : workers[pick]!;
        kills.push({ atMs: elapsed(), target });
        log(`SIGKILL ${target} at ${(elapsed() / 1000).toFixed(1)} s`);
        victim.child.kill('SIGKILL');
        await victim.exited;
        await sleep(k.restartMs);
        if (pick === options.workers) sink = runSink();
        else workers[pick] = runWorker(pick);
        await sleep(k.gapMs[0] + random() * (k.gapMs[1] - k.gapMs[0]));
      }
    })();

    const broker = (async () => {
      const o = options.brokerOutage;
      if (!o) return;
      await sleep(o.afterMs);
      const generatedTopic = `${prefix}generated`;
      const generatedSoFar = async () => {
        try {
          return (await transport.offsets(generatedTopic)).reduce((n, p) => n + p.high, 0);
        } catch {
          return 0;
        }
      };
      // A worker still joining its group when the broker goes is a failed start, not an outage
      // of a running pipeline: wait until every worker runs and work is flowing.
      const allRunning = () => [sink, ...workers].every((p) => /\brunning\b/.test(p.output()));
      while (generating && (!allRunning() || (await generatedSoFar()) < (o.afterGenerated ?? 0)))
        await sleep(250);
      if (!generating) return;
      log(`stopping the broker at ${(elapsed() / 1000).toFixed(1)} s`);
      kafka('stop', o.port);
      const stoppedAtMs = elapsed();
      await sleep(o.downMs);
      kafka('start', o.port);
      outage = { stoppedAtMs, startedAtMs: elapsed() };
      log(`broker back at ${(elapsed() / 1000).toFixed(1)} s`);
    })();

    const deadline = started + (options.timeoutMs ?? 20 * 60_000);
    // A worker or the sink that exits on its own (not killed by the chaos) fails the scenario.
    const unexpectedExit = new Promise<never>((_, reject) => {
      const watch = () => {
        for (const p of [sink, ...workers]) {
          if (p.child.exitCode !== null) {
            reject(new Error(`${p.label} exited ${p.child.exitCode}:\n${p.output().slice(-4000)}`));
            return;
          }
        }
        if (generating) setTimeout(watch, 250).unref();
      };
      watch();
    });
    unexpectedExit.catch(() => {});
    await Promise.race([
      unexpectedExit,
      Promise.all([processed, chaos, broker]),
      sleep(deadline - Date.now()).then(() => {
        throw new Error(`scenario ${options.name} timed out`);
      }),
    ]);
    // Everything published is processed by the workers once generate is done; wait for the sink.
    const sinkTopics = ['dataset', 'rejected', 'dlq'].map((t) => `${prefix}${t}`);
    while (
      !(await groupCaughtUp(transport, workersGroup, workerTopics)) ||
      !(await groupCaughtUp(transport, sinkGroup, sinkTopics))
    ) {
      if (Date.now() > deadline)
        throw new Error(`scenario ${options.name}: the sink did not catch up in time`);
      for (const p of [sink, ...workers]) {
        if (p.child.exitCode !== null)
          throw new Error(`${p.label} exited ${p.child.exitCode}:\n${p.output()}`);
      }
      await sleep(500);
    }
    for (const p of [...procs]) p.child.kill('SIGTERM');
    for (const p of [sink, ...workers]) {
      const code = await p.exited;
      if (code !== 0) throw new Error(`${p.label} exited ${code} after SIGTERM:\n${p.output()}`);
    }
    const wallMs = elapsed();

    // ----- what came out -------------------------------------------------------
    const datasetDir = join(dirname(files.sink), 'dataset');
    const rowHashes: Record<string, string> = {};
    const rows: ({ id: string; category: string } & Partial<Record<DedupField, string>>)[] = [];
    const shards = join(datasetDir, 'shards');
    if (existsSync(shards)) {
      for (const category of readdirSync(shards)) {
        for (const file of readdirSync(join(shards, category))) {
          for (const line of readFileSync(join(shards, category, file), 'utf8').split('\n')) {
            if (!line.trim()) continue;
            const row = JSON.parse(line) as (typeof rows)[number];
            rowHashes[row.id] = sha(canonicalJson(row));
            rows.push(row);
          }
        }
      }
    }
    const fingerprint = sha(
      Object.keys(rowHashes)
        .sort()
        .map((id) => `${id}:${rowHashes[id]}\n`)
        .join(''),
    );
    const conflicts: ScenarioResult['conflicts'] = [];
    const topics: ScenarioResult['topics'] = {};
    for (const logical of ['tasks', 'generated', 'dataset', 'rejected', 'dlq']) {
      const { byId, messages } = await topicContents(transport, `${prefix}${logical}`);
      topics[logical] = { messages, ids: byId.size };
      for (const [id, hashes] of byId) if (hashes.size > 1) conflicts.push({ topic: logical, id });
    }
    const nearDuplicates: ScenarioResult['nearDuplicates'] = [];
    const byCategory = new Map<string, typeof rows>();
    for (const r of rows) byCategory.set(r.category, [...(byCategory.get(r.category) ?? []), r]);
    for (const list of byCategory.values()) {
      // Every pair, exhaustively (not through the LSH index), with dedup's own criterion:
      // ROUGE-L over the compared fields as written (its tokenizer needs the word boundaries).
      const tokens = list.map((r) =>
        rougeTokens(files.fields.map((f) => (typeof r[f] === 'string' ? r[f] : '')).join('\n')),
      );
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const f = rougeL(tokens[i]!, tokens[j]!);
          if (f >= files.threshold) nearDuplicates.push({ a: list[i]!.id, b: list[j]!.id, rougeL: f });
        }
      }
    }
    const manifestFile = join(datasetDir, 'manifest.json');
    const manifest = existsSync(manifestFile)
      ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as {
          balanced: boolean;
          totals: Record<string, number>;
        })
      : { balanced: false, totals: {} };
    const s = sim.stats().byTask;
    return {
      name: options.name,
      rows: rows.length,
      fingerprint,
      rowHashes,
      llmCalls: {
        generate: s.generate,
        judge: s.judge,
        repair: s.repair,
        total: s.generate + s.judge + s.repair,
      },
      wallMs,
      kills,
      ...(outage ? { outage } : {}),
      conflicts,
      topics,
      nearDuplicates,
      manifest: { balanced: manifest.balanced, totals: manifest.totals },
      inFlightCap: files.inFlightCap,
      partitions: options.partitions ?? 4,
    };
  } catch (err) {
    for (const p of procs) log(`--- ${p.label} ---\n${p.output().slice(-4000)}`);
    throw err;
  } finally {
    for (const p of [...procs]) p.child.kill('SIGKILL');
    await transport.close().catch(() => {});
    await sim.close();
    if (options.brokerOutage) {
      try {
        kafka('stop', options.brokerOutage.port);
      } catch {
        // already stopped
      }
    }
    mkdirSync(dir, { recursive: true });
  }
}
