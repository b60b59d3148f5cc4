/**
 * The local transport's throughput: 100k records produced in batches of 500,
 * then consumed through a consumer group that commits every 1,000 records.
 *
 *   node --import tsx bench/transport-local.ts [--records 100000] [--quick]
 *
 * `--quick` runs 20,000 records instead of 100,000. Writes
 * bench/results/transport-local.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { OutgoingMessage, TaneRecord, TopicPartition } from '@tane/core';
import { createLocalTransport } from '@tane/transport-local';

const BATCH = 500;
const COMMIT_EVERY = 1_000;
const PARTITIONS = 4;
const TOPIC = 'bench.generated';
const CATEGORIES = Array.from({ length: 20 }, (_, i) => `category-${i}`);

function record(i: number): TaneRecord {
  const category = CATEGORIES[i % CATEGORIES.length]!;
  return {
    id: `bench-${i}`,
    type: 'candidate',
    category,
    data: {
      instruction: `Write a short, polite reply to customer e-mail number ${i} about a delayed delivery.`,
      input: 'Dear team, my order has not arrived yet although the tracking page says it was delivered.',
      output:
        'Thank you for letting us know. We are sorry that your order has not reached you. We have opened an enquiry with the carrier and will write to you within two working days.',
    },
    meta: { generation: { model: 'mistralai/Mixtral-8x22B-Instruct-v0.1', taskId: `task-${i >> 3}` } },
    lineage: [{ plugin: '@tane/plugin-mixtral-generator@0.1.0', stage: 'generator' }],
    headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  };
}

function recordCount(values: { records?: string; quick?: boolean }): number {
  const records = Number(values.records ?? (values.quick ? 20_000 : 100_000));
  if (!Number.isInteger(records) || records <= 0) {
    throw new Error(`--records must be a positive whole number, got ${values.records}`);
  }
  return records;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { records: { type: 'string' }, quick: { type: 'boolean' } },
  });
  const quick = values.quick ?? false;
  const records = recordCount(values);
  const dir = mkdtempSync(join(tmpdir(), 'tane-bench-local-'));
  const transport = await createLocalTransport({ path: join(dir, 'tane.db') });
  try {
    await transport.createTopics([{ name: TOPIC, partitions: PARTITIONS }]);
    const batches: OutgoingMessage[][] = [];
    for (let start = 0; start < records; start += BATCH) {
      batches.push(
        Array.from({ length: Math.min(BATCH, records - start) }, (_, k) => {
          const value = record(start + k);
          return { topic: TOPIC, key: value.category, value };
        }),
      );
    }

    const producer = await transport.producer();
    const produceStart = performance.now();
    for (const batch of batches) await producer.send(batch);
    const produceMs = performance.now() - produceStart;

    const consumer = await transport.consumer({ group: 'bench', topics: [TOPIC] });
    const latest = new Map<number, number>();
    let received = 0;
    let commits = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((settle) => {
      done = settle;
    });
    const commitLatest = async () => {
      const offsets = [...latest].map(([partition, offset]): TopicPartition & { offset: number } => ({
        topic: TOPIC,
        partition,
        offset,
      }));
      await consumer.commit(offsets);
      commits++;
    };
    const consumeStart = performance.now();
    await consumer.start({
      async onMessage(m) {
        JSON.parse(m.value);
        latest.set(m.partition, m.offset + 1);
        received++;
        if (received % COMMIT_EVERY === 0) await commitLatest();
        if (received === records) done();
      },
    });
    await finished;
    await commitLatest();
    const consumeMs = performance.now() - consumeStart;
    await consumer.stop();

    const committed = await transport.committedOffsets('bench', TOPIC);
    const total = committed.reduce((sum, c) => sum + c.offset, 0);
    if (total !== records) throw new Error(`committed ${total} offsets, expected ${records}`);

    const result = {
      date: new Date().toISOString(),
      node: process.version,
      records,
      ...(quick ? { quick: true } : {}),
      produceRps: Math.round(records / (produceMs / 1000)),
      consumeRps: Math.round(records / (consumeMs / 1000)),
      batchSize: BATCH,
      commitEvery: COMMIT_EVERY,
      partitions: PARTITIONS,
      commits,
      recordBytes: Buffer.byteLength(JSON.stringify(record(0))),
      synchronous: 'normal',
    };
    const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'transport-local.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result));
  } finally {
    await transport.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
