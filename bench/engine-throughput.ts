/**
 * Records per second through a three-stage no-op pipeline (in → a → b → c → out),
 * with `tane run` worker processes, on the embedded log and on Kafka, with one and
 * two workers. Writes bench/results/engine-throughput.json.
 *
 *   node --import tsx bench/engine-throughput.ts [--records 100000] [--quick] [--no-kafka]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Transport } from '@tane/core';
import { publishCandidates } from './fixtures/publish-candidates.ts';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, '../packages/cli/bin/tane.js');
const noop = resolve(here, 'fixtures/noop-plugin.ts');
const PARTITIONS = 4;

interface Case {
  transport: 'local' | 'kafka';
  workers: number;
  records: number;
  seconds: number;
  recordsPerSecond: number;
}

function kafkaUp(): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host: '127.0.0.1', port: 9092 });
    s.setTimeout(2000, () => {
      s.destroy();
      done(false);
    });
    s.once('error', () => done(false));
    s.once('connect', () => {
      s.end();
      done(true);
    });
  });
}

async function openTransport(kind: 'local' | 'kafka', dir: string): Promise<Transport> {
  if (kind === 'local') {
    const { createLocalTransport } = await import('@tane/transport-local');
    return createLocalTransport({ path: join(dir, 'tane.db') });
  }
  const { createKafkaTransport } = await import('@tane/transport-kafka');
  return createKafkaTransport({ brokers: ['127.0.0.1:9092'] });
}

async function runCase(kind: 'local' | 'kafka', workers: number, records: number): Promise<Case> {
  const dir = mkdtempSync(join(os.tmpdir(), 'tane-bench-engine-'));
  const prefix = `bench-${randomUUID().slice(0, 8)}.`;
  writeFileSync(
    join(dir, 'pipeline.yaml'),
    `pipeline: throughput
topics: { prefix: ${prefix}, partitions: ${PARTITIONS} }
limits: { maxInFlightPerPartition: 1024 }
inputs: { in: a }
stages:
  a: { plugin: ${noop}, routes: { out: b } }
  b: { plugin: ${noop}, routes: { out: c } }
  c: { plugin: ${noop}, routes: { out: topic:out } }
`,
  );
  const transport = await openTransport(kind, dir);
  const topic = `${prefix}in`;
  await transport.createTopics([
    { name: topic, partitions: PARTITIONS },
    { name: `${prefix}out`, partitions: PARTITIONS },
    { name: `${prefix}dlq`, partitions: PARTITIONS },
  ]);
  await publishCandidates(transport, topic, records, 1000);
  const url = kind === 'local' ? `local:${join(dir, 'tane.db')}` : 'kafka://127.0.0.1:9092';
  const children: ChildProcess[] = [];
  const running = new Promise<void>((ready) => {
    for (let w = 0; w < workers; w++) {
      const child = spawn(
        process.execPath,
        [bin, 'run', 'pipeline.yaml', '--transport', url, '--progress', 'off'],
        {
          cwd: dir,
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      child.stderr!.on('data', (d: Buffer) => {
        // The clock starts when the first worker runs: joining the others (a rebalance) is part of the cost.
        if (d.toString().includes('running')) ready();
      });
      children.push(child);
    }
  });
  await running;
  const t0 = performance.now();
  const group = `${prefix}throughput`;
  for (;;) {
    const committed = (await transport.committedOffsets(group, topic)).reduce((n, o) => n + o.offset, 0);
    if (committed >= records) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
  await transport.close();
  const result = {
    transport: kind,
    workers,
    records,
    seconds: Number(seconds.toFixed(2)),
    recordsPerSecond: Math.round(records / seconds),
  };
  console.log(JSON.stringify(result));
  return result;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { records: { type: 'string' }, quick: { type: 'boolean' }, 'no-kafka': { type: 'boolean' } },
  });
  const records = Number(values.records ?? (values.quick ? 20_000 : 100_000));
  const cases: Case[] = [];
  const kinds: ('local' | 'kafka')[] = ['local'];
  const kafka = !values['no-kafka'] && (await kafkaUp());
  if (kafka) kinds.push('kafka');
  for (const kind of kinds) for (const workers of [1, 2]) cases.push(await runCase(kind, workers, records));
  const out = {
    benchmark: 'engine-throughput',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    pipeline:
      'in → a → b → c → out, no-op handler stages, 4 partitions, records of ~300 bytes of Japanese text',
    measured:
      'from the first worker running to every input offset committed (process start-up excluded; the other worker joining, and its rebalance, included)',
    kafka: kafka
      ? 'Apache Kafka 3.9.1 single node on 127.0.0.1 (at-least-once)'
      : 'skipped: no broker on 127.0.0.1:9092',
    cases,
    summary: Object.fromEntries(
      cases.map((c) => [`${c.transport}${c.workers}w_recPerSec`, c.recordsPerSecond]),
    ),
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'engine-throughput.json'), `${JSON.stringify(out, null, 2)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
