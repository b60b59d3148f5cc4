import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { Transport } from '@tane/core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createKafkaTransport, type KafkaTransportOptions } from '../src/index.ts';

/**
 * The broker the integration tests use: `deploy/kafka/kafka.sh` on loopback,
 * the first of TANE_KAFKA_BROKERS (set by `npm test`), else port TANE_KAFKA_PORT.
 */
export const BROKER =
  process.env.TANE_KAFKA_BROKERS?.split(',')[0]?.trim() ||
  `127.0.0.1:${process.env.TANE_KAFKA_PORT ?? '9092'}`;

let reachable: Promise<void> | undefined;

function probe(): Promise<void> {
  const [host, port] = BROKER.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) });
    const fail = (why: string) => {
      socket.destroy();
      reject(
        new Error(
          `no Kafka broker at ${BROKER} (${why}): the Kafka integration tests need one — start it with \`npm run kafka:start\` (deploy/kafka/kafka.sh)`,
        ),
      );
    };
    socket.setTimeout(3000, () => fail('timed out'));
    socket.once('error', (err) => fail(err.message));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
  });
}

/**
 * Throws (so the tests fail, not skip) when the broker is not there. Checked
 * once per test file.
 */
export function requireBroker(): Promise<void> {
  reachable ??= probe();
  return reachable;
}

/** A transport on the test broker; callers close it. */
export async function testTransport(options: Partial<KafkaTransportOptions> = {}): Promise<Transport> {
  await requireBroker();
  return createKafkaTransport({ brokers: [BROKER], clientId: 'tane-test', ...options });
}

/** A topic or group name no other test (or earlier run) uses. */
export const unique = (label: string): string => `kt-${label}-${randomUUID().slice(0, 8)}`;

/**
 * A transport shared by the tests of a `describe` block, closed after them.
 * Without a broker every test of the block fails with the reason (a failing
 * `beforeAll` alone would only mark them skipped).
 */
export function useTestTransport(options: Partial<KafkaTransportOptions> = {}): () => Transport {
  let transport: Transport | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      transport = await testTransport(options);
    } catch (err) {
      failure = err;
    }
  });
  beforeEach(() => {
    if (failure !== undefined) throw failure;
  });
  afterAll(async () => {
    await transport?.close();
  });
  return () => {
    if (!transport) throw failure ?? new Error('the test transport is not open yet');
    return transport;
  };
}
