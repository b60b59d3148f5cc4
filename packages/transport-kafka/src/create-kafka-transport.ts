import { registerSecret, silentLogger, TaneError, type Transport } from '@tane/core';
import { Kafka, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { toKafkaError } from './kafka-error.ts';
import { kafkaLogCreator, kafkaLogLevels } from './kafka-log-creator.ts';
import { KafkaTransport } from './kafka-transport.ts';
import type { KafkaSaslOptions, KafkaTransportOptions } from './kafka-transport-options.ts';

function saslConfig(sasl: KafkaSaslOptions): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

/**
 * `transaction.timeout.ms`. A transaction here is one commit of one source
 * partition, open for milliseconds to a few seconds; if its member crashes
 * with it open, read_committed readers of the output topics wait until the
 * partition's next owner fences it (at once) or the broker aborts it after
 * this timeout (checked every 10 s). Kafka Streams uses the same 10 s.
 */
const DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;

const BROKER_ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[^\s:/@,[\]]+):(\d{1,5})$/;

/**
 * Connects to Apache Kafka and returns a {@link Transport} on it (kafkajs 2.2.4).
 *
 * Fails within `connectDeadlineMs` (15 s) with `TRANSPORT_UNREACHABLE` when no
 * broker answers, instead of retrying silently.
 *
 * @example
 * ```ts
 * const transport = await createKafkaTransport({ brokers: ['127.0.0.1:9092'], logger });
 * await transport.createTopics([{ name: 'tane.tasks', partitions: 4 }]);
 * const producer = await transport.producer();
 * await producer.send([{ topic: 'tane.tasks', key: 'email-reply', value: record }]);
 * ```
 */
export async function createKafkaTransport(options: KafkaTransportOptions): Promise<Transport> {
  const brokers = options.brokers.map((b) => b.trim()).filter((b) => b.length > 0);
  if (brokers.length === 0) {
    throw new TaneError('CONFIG_INVALID', 'no Kafka brokers given', {
      hint: 'give at least one broker as host:port, e.g. kafka://127.0.0.1:9092',
    });
  }
  for (const b of brokers) {
    const m = BROKER_ADDRESS.exec(b);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) {
      throw new TaneError('CONFIG_INVALID', `'${b}' is not a broker address`, {
        hint: 'write each broker as host:port, e.g. 127.0.0.1:9092',
      });
    }
  }
  if (options.sasl) registerSecret(options.sasl.password);

  const sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? Math.min(3000, Math.floor(sessionTimeoutMs / 3));
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new TaneError(
      'CONFIG_INVALID',
      `heartbeat interval ${heartbeatIntervalMs} ms must be below the session timeout ${sessionTimeoutMs} ms`,
      { hint: 'use about a third of the session timeout' },
    );
  }
  const logger = options.logger ?? silentLogger;
  const clientId = options.clientId ?? 'tane';
  const description = brokers.join(',');
  const connectionTimeout = options.connectionTimeoutMs ?? 3000;
  const config: KafkaConfig = {
    brokers,
    clientId,
    connectionTimeout,
    requestTimeout: 30_000,
    logLevel: kafkaLogLevels[options.kafkaLogLevel ?? 'warn'],
    logCreator: kafkaLogCreator(logger.child({ transport: 'kafka' })),
    ...(options.ssl === undefined || options.ssl === false ? {} : { ssl: options.ssl }),
  };
  if (options.sasl) config.sasl = saslConfig(options.sasl);
  const kafkaFor = (id: string): Kafka => new Kafka({ ...config, clientId: id });
  const kafka = kafkaFor(clientId);
  // Few, quick retries for the first connection: an unreachable broker should
  // be reported in seconds. Later calls use kafkajs's default budget.
  const probe = new Kafka({
    ...config,
    retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 2000 },
  }).admin();
  const deadlineMs = options.connectDeadlineMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe.connect().then(() => probe.listTopics()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              Object.assign(new Error(`no answer within ${deadlineMs} ms`), {
                name: 'KafkaJSConnectionError',
              }),
            ),
          deadlineMs,
        );
      }),
    ]);
  } catch (err) {
    // Not awaited: against a listener that never answers, kafkajs's disconnect waits too.
    void probe.disconnect().catch(() => {});
    throw toKafkaError(err, { brokers: description, action: 'connecting' });
  } finally {
    clearTimeout(timer);
  }
  await probe.disconnect().catch(() => {});

  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (err) {
    throw toKafkaError(err, { brokers: description, action: 'connecting' });
  }
  logger.debug('connected to Kafka', { brokers: description });
  return new KafkaTransport(kafka, admin, {
    brokers,
    clientId,
    sessionTimeoutMs,
    heartbeatIntervalMs,
    maxWaitTimeMs: options.maxWaitTimeMs ?? 250,
    maxOutageMs: options.maxOutageMs ?? 120_000,
    adminDeadlineMs: options.adminDeadlineMs ?? 90_000,
    maxBufferedBytes: Math.max(1, options.maxBufferedBytesPerPartition ?? 4 * 1024 * 1024),
    transactions: options.transactions ?? true,
    transactionTimeoutMs: options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS,
    logger,
    kafkaFor,
  });
}
