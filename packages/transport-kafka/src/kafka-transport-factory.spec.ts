import { redactSecrets, TaneError } from '@tane/core';
import { describe, expect, it } from 'vitest';
import { kafkaSecurityFromEnv, kafkaTransportFactory, parseKafkaUrl } from './kafka-transport-factory.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof TaneError ? err.code : 'not a TaneError';
  }
  return undefined;
}

describe('parseKafkaUrl', () => {
  it('reads one or several brokers, with 9092 as the default port', () => {
    expect(parseKafkaUrl('kafka://127.0.0.1:9092')).toEqual(['127.0.0.1:9092']);
    expect(parseKafkaUrl('kafka://k1:19092, k2 ,k3:9093/')).toEqual(['k1:19092', 'k2:9092', 'k3:9093']);
    expect(parseKafkaUrl('KAFKA://[::1]:9092,[::1]')).toEqual(['[::1]:9092', '[::1]:9092']);
  });

  it('refuses other schemes, empty lists, paths and queries', () => {
    expect(codeOf(() => parseKafkaUrl('local:./x.db'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseKafkaUrl('kafka://'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseKafkaUrl('kafka://h:9092/topic'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseKafkaUrl('kafka://h:9092?ssl=1'))).toBe('CONFIG_INVALID');
  });

  it('refuses credentials in the URL without repeating them', () => {
    let error: TaneError | undefined;
    try {
      parseKafkaUrl('kafka://alice:s3cret-pass@h:9092');
    } catch (err) {
      error = err as TaneError;
    }
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.format()).not.toContain('s3cret-pass');
    expect(error?.hint).toContain('TANE_KAFKA_PASSWORD');
  });
});

describe('kafkaSecurityFromEnv', () => {
  it('has no TLS and no SASL without variables', () => {
    expect(kafkaSecurityFromEnv({})).toEqual({});
  });

  it('reads TLS and a SASL login, and registers the password as a secret', () => {
    const password = 'env-password-1234';
    expect(
      kafkaSecurityFromEnv({
        TANE_KAFKA_SSL: '1',
        TANE_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
        TANE_KAFKA_USERNAME: 'alice',
        TANE_KAFKA_PASSWORD: password,
      }),
    ).toEqual({ ssl: true, sasl: { mechanism: 'scram-sha-256', username: 'alice', password } });
    expect(redactSecrets(`failed for ${password}`)).toBe('failed for [redacted]');
    expect(kafkaSecurityFromEnv({ TANE_KAFKA_SSL: 'false' })).toEqual({});
  });

  it('refuses an unknown mechanism and half a login', () => {
    expect(codeOf(() => kafkaSecurityFromEnv({ TANE_KAFKA_SASL_MECHANISM: 'gssapi' }))).toBe(
      'CONFIG_INVALID',
    );
    expect(
      codeOf(() => kafkaSecurityFromEnv({ TANE_KAFKA_SASL_MECHANISM: 'plain', TANE_KAFKA_USERNAME: 'a' })),
    ).toBe('CONFIG_INVALID');
    expect(
      codeOf(() => kafkaSecurityFromEnv({ TANE_KAFKA_USERNAME: 'a', TANE_KAFKA_PASSWORD: 'pw-12345' })),
    ).toBe('CONFIG_INVALID');
  });
});

describe('kafkaTransportFactory', () => {
  it('has the kafka scheme and checks its options before connecting', async () => {
    expect(kafkaTransportFactory.scheme).toBe('kafka');
    await expect(
      kafkaTransportFactory.create('kafka://127.0.0.1:9092', { env: {}, sessionTimeoutMs: 'soon' }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses a TANE_KAFKA_TRANSACTIONS that is neither on nor off, before connecting', async () => {
    await expect(
      kafkaTransportFactory.create('kafka://127.0.0.1:9092', { env: { TANE_KAFKA_TRANSACTIONS: 'maybe' } }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(
      kafkaTransportFactory.create('kafka://127.0.0.1:9092', { env: {}, transactions: 'yes' }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
