/**
 * The Kafka transport's throughput on the local broker: 100k records produced
 * in batches of 500 (idempotent producer, acks=all), then consumed through a
 * consumer group that commits every 1,000 records. Same records and shape as
 * bench/transport-local.ts, so the two results compare.
 *
 *   npm run kafka:start
 *   node --import tsx bench/transport-kafka.ts [--brokers 127.0.0.1:9092] [--records 100000] [--quick]
 *
 * `--quick` runs 20,000 records instead of 100,000. Writes
 * bench/results/transport-kafka.json. The topic and group it creates are
 * deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createKafkaTransport } from '@tane/transport-kafka';
import { Kafka, logLevel } from 'kafkajs';
import { measureTransport, recordCount, writeResult } from './fixtures/measure-transport.ts';

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      brokers: { type: 'string', default: '127.0.0.1:9092' },
      records: { type: 'string' },
      quick: { type: 'boolean' },
    },
  });
  const brokers = values.brokers.split(',');
  const quick = values.quick ?? false;
  const records = recordCount(values);
  const run = randomUUID().slice(0, 8);
  const topic = `bench.generated.${run}`;
  const group = `bench-${run}`;
  const transport = await createKafkaTransport({ brokers, clientId: 'tane-bench' });
  try {
    const m = await measureTransport(transport, {
      records,
      topic,
      group,
    });
    writeResult('transport-kafka', {
      date: new Date().toISOString(),
      node: process.version,
      broker: 'Apache Kafka 3.9.1, single node (deploy/kafka), loopback',
      client: 'kafkajs 2.2.4',
      records,
      ...(quick ? { quick: true } : {}),
      ...m,
      acks: 'all',
      idempotent: true,
    });
  } finally {
    await transport.close();
    // Leave the broker as it was: the records would otherwise stay for a week.
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteGroups([group]).catch(() => {});
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
