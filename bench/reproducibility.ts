/**
 * Reproducibility at scale: 2,000 generation tasks of the ja-business set (20
 * categories × 100 tasks × 8 examples) through (a) one worker, (b) three
 * workers, (c) two workers with workers and the sink SIGKILLed at random, and
 * (d) two workers with the broker stopped and started mid-run — all on Kafka
 * with exactly-once output. Writes bench/results/reproducibility.json:
 * whether the four datasets are identical, rows per run, the extra LLM calls
 * of each run against (a), id/content conflicts, near-duplicate pairs, wall time.
 *
 *   node --import tsx bench/reproducibility.ts            # 2,000 tasks
 *   node --import tsx bench/reproducibility.ts --quick    # 400 tasks
 *
 * Needs the broker of `npm run kafka:start` on 127.0.0.1:9092; the outage run
 * starts its own broker on port 19492 (TANE_BENCH_OUTAGE_PORT).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario, type ScenarioOptions, type ScenarioResult } from './reproducibility/scenario.ts';

const BENCH = dirname(fileURLToPath(import.meta.url));

export async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const tasks = quick ? 400 : 2000;
  const categories = 20;
  const k = 8;
  const seed = Number(process.env.TANE_CHAOS_SEED ?? 20261203);
  const brokers = process.env.TANE_KAFKA_BROKERS?.split(',')[0] ?? '127.0.0.1:9092';
  const outagePort = Number(process.env.TANE_BENCH_OUTAGE_PORT ?? 19492);
  const base: Omit<ScenarioOptions, 'name' | 'workers'> = {
    example: resolve(BENCH, '../examples/ja-business'),
    transport: { kind: 'kafka', brokers },
    plan: { perCategory: (tasks / categories) * k },
    latency: { medianMs: 20, p99Ms: 150 },
    log: (line) => process.stderr.write(`${line}\n`),
    timeoutMs: 60 * 60_000,
  };
  const runs: ScenarioResult[] = [];
  const say = (r: ScenarioResult) =>
    process.stderr.write(
      `${r.name}: ${r.rows} rows, ${r.llmCalls.total} LLM calls, ${r.kills.length} kills, ${(r.wallMs / 1000).toFixed(0)} s, fingerprint ${r.fingerprint.slice(0, 16)}\n`,
    );
  for (const options of [
    { ...base, name: 'one-worker', workers: 1 },
    { ...base, name: 'three-workers', workers: 3 },
    {
      ...base,
      name: 'two-workers-kills',
      workers: 2,
      kills: {
        count: 20,
        seed,
        firstAfterMs: 10_000,
        gapMs: [3000, 8000] as [number, number],
        restartMs: 500,
      },
    },
    {
      ...base,
      name: 'two-workers-broker-outage',
      workers: 2,
      brokerOutage: { port: outagePort, afterMs: 20_000, afterGenerated: 2000, downMs: 30_000 },
    },
  ] satisfies ScenarioOptions[]) {
    const r = await runScenario(options);
    say(r);
    runs.push(r);
  }
  const [a] = runs;
  const result = {
    benchmark: 'reproducibility',
    tasks,
    example: 'ja-business',
    transport: 'kafka (exactly-once output)',
    seed,
    identicalDatasets: runs.every((r) => r.fingerprint === a!.fingerprint),
    runs: runs.map((r) => ({
      name: r.name,
      rows: r.rows,
      fingerprint: r.fingerprint,
      sameAsOneWorker: r.fingerprint === a!.fingerprint,
      llmCalls: r.llmCalls,
      extraLlmCallsRatio: Number(((r.llmCalls.total - a!.llmCalls.total) / a!.llmCalls.total).toFixed(4)),
      kills: r.kills.length,
      killSchedule: r.kills,
      ...(r.outage ? { outage: r.outage } : {}),
      idsWithTwoContents: r.conflicts.length,
      nearDuplicatePairs: r.nearDuplicates.length,
      topics: r.topics,
      balanced: r.manifest.balanced,
      wallSeconds: Number((r.wallMs / 1000).toFixed(1)),
      inFlightBound: r.inFlightCap * r.partitions,
    })),
  };
  writeFileSync(join(BENCH, 'results/reproducibility.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write(`identical datasets: ${result.identicalDatasets}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    // Kafka clients of the checks may hold the event loop open: the results are written, so exit.
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
