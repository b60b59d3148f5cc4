import { silentLogger } from '@tane/core';
import type { Admin, Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaTransport } from './kafka-transport.ts';

/** A kafkajs admin whose requests never answer (`wedged`) or answer for one topic with 2 partitions. */
function fakeAdmin(wedged: boolean, calls: string[]): Admin {
  const never = new Promise<never>(() => {});
  const answer = <T>(name: string, value: T): Promise<T> => {
    calls.push(name);
    return wedged ? never : Promise.resolve(value);
  };
  return {
    connect: async () => {
      calls.push('connect');
    },
    disconnect: async () => {
      calls.push('disconnect');
    },
    fetchTopicMetadata: () =>
      answer('fetchTopicMetadata', {
        topics: [{ name: 't', partitions: [{ partitionId: 0 }, { partitionId: 1 }] }],
      }),
    fetchTopicOffsets: () =>
      answer('fetchTopicOffsets', [
        { partition: 0, offset: '5', high: '5', low: '0' },
        { partition: 1, offset: '7', high: '7', low: '2' },
      ]),
  } as unknown as Admin;
}

describe('KafkaTransport admin requests', () => {
  it('fails a request that gets no answer as a retryable TRANSPORT_ERROR, and the next call goes through a new admin client', async () => {
    const calls: string[] = [];
    const admins: Admin[] = [];
    const kafka = {
      admin: () => {
        const admin = fakeAdmin(false, calls);
        admins.push(admin);
        return admin;
      },
    } as unknown as Kafka;
    const transport = new KafkaTransport(kafka, fakeAdmin(true, calls), {
      brokers: ['127.0.0.1:9092'],
      clientId: 'tane',
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3000,
      maxWaitTimeMs: 250,
      maxOutageMs: 120_000,
      adminDeadlineMs: 200,
      maxBufferedBytes: 1024,
      transactions: true,
      transactionTimeoutMs: 10_000,
      logger: silentLogger,
      kafkaFor: () => kafka,
    });

    const started = Date.now();
    const error = await transport.offsets('t').then(
      () => undefined,
      (err: unknown) => err as { code: string; retryable: boolean; message: string },
    );
    expect(error).toMatchObject({ code: 'TRANSPORT_ERROR', retryable: true });
    expect(error?.message).toContain('did not answer within');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(admins).toHaveLength(1);

    // The wedged client was dropped; the new one connects before its first request.
    expect(await transport.offsets('t')).toEqual([
      { partition: 0, low: 0, high: 5 },
      { partition: 1, low: 2, high: 7 },
    ]);
    expect(calls.filter((c) => c === 'connect')).toHaveLength(1);
    expect(calls.indexOf('connect')).toBeLessThan(calls.lastIndexOf('fetchTopicOffsets'));
  });
});
