import { registerSecret, TaneError } from '@tane/core';
import { describe, expect, it } from 'vitest';
import {
  isConcurrentTransactionError,
  isFencedError,
  isRebalanceError,
  toKafkaError,
} from './kafka-error.ts';

const ctx = { brokers: '127.0.0.1:9092', action: 'testing' };

/** The shapes kafkajs throws: a named error, often wrapping the real one in `cause`. */
function kafkaJsError(
  name: string,
  message: string,
  extra: Record<string, unknown> = {},
  cause?: unknown,
): Error {
  return Object.assign(new Error(message), { name, ...extra, ...(cause === undefined ? {} : { cause }) });
}

describe('toKafkaError', () => {
  it('reports a refused connection, even wrapped in a retry error, as TRANSPORT_UNREACHABLE', () => {
    const inner = kafkaJsError(
      'KafkaJSConnectionError',
      'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
      {
        retriable: true,
      },
    );
    const err = toKafkaError(kafkaJsError('KafkaJSNumberOfRetriesExceeded', inner.message, {}, inner), ctx);
    expect(err.code).toBe('TRANSPORT_UNREACHABLE');
    expect(err.message).toContain('127.0.0.1:9092');
    expect(err.hint).toContain('npm run kafka:start');
    expect(err.retryable).toBe(true);
  });

  it('names the topic of an UNKNOWN_TOPIC_OR_PARTITION error', () => {
    const err = toKafkaError(
      kafkaJsError('KafkaJSProtocolError', 'This server does not host this topic-partition', {
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
      }),
      { ...ctx, topic: 'tane.tasks' },
    );
    expect(err.code).toBe('TOPIC_NOT_FOUND');
    expect(err.message).toContain('tane.tasks');
  });

  it('explains a failed SASL login without the password', () => {
    registerSecret('sasl-secret-9876');
    const err = toKafkaError(
      kafkaJsError('KafkaJSSASLAuthenticationError', 'SASL PLAIN authentication failed for sasl-secret-9876'),
      ctx,
    );
    expect(err.code).toBe('TRANSPORT_ERROR');
    expect(err.message).not.toContain('sasl-secret-9876');
    expect(err.hint).toContain('TANE_KAFKA_USERNAME');
  });

  it('recognises a commit refused by a rebalance as retryable', () => {
    const refused = kafkaJsError('KafkaJSProtocolError', 'The group is rebalancing', {
      type: 'REBALANCE_IN_PROGRESS',
      retriable: false,
    });
    const wrapped = kafkaJsError('KafkaJSNonRetriableError', refused.message, {}, refused);
    expect(isRebalanceError(wrapped)).toBe(true);
    const err = toKafkaError(wrapped, ctx);
    expect(err.code).toBe('TRANSPORT_ERROR');
    expect(err.retryable).toBe(true);
  });

  it('recognises a fenced transactional producer, also by the code kafkajs has no name for', () => {
    const epoch = kafkaJsError('KafkaJSProtocolError', 'Producer attempted an operation with an old epoch', {
      type: 'INVALID_PRODUCER_EPOCH',
    });
    expect(isFencedError(kafkaJsError('KafkaJSNonRetriableError', epoch.message, {}, epoch))).toBe(true);
    expect(
      isFencedError(
        kafkaJsError('KafkaJSProtocolError', 'Unknown error code 90', { type: 'KAFKAJS_UNKNOWN_ERROR_CODE' }),
      ),
    ).toBe(true);
    const busy = kafkaJsError('KafkaJSProtocolError', 'concurrent', { type: 'CONCURRENT_TRANSACTIONS' });
    expect(isFencedError(busy)).toBe(false);
    expect(isConcurrentTransactionError(busy)).toBe(true);
    expect(isFencedError(kafkaJsError('KafkaJSProtocolError', 'x', { type: 'REBALANCE_IN_PROGRESS' }))).toBe(
      false,
    );
  });

  it('passes a TaneError through unchanged', () => {
    const original = new TaneError('USAGE', 'x');
    expect(toKafkaError(original, ctx)).toBe(original);
  });
});
