import { randomBytes } from 'node:crypto';
import { memoryLogger, redactSecrets, TaneError } from '@tane/core';
import { describe, expect, it } from 'vitest';
import { createKafkaTransport, kafkaTransportFactory } from '../src/index.ts';
import { BROKER, requireBroker } from './broker.ts';

/** Everything a user could see of an error: message, hint, JSON, stack and the whole cause chain. */
function everythingIn(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '', String(current));
      if (current instanceof TaneError) parts.push(current.format(), JSON.stringify(current.toJSON()));
      current = (current as { cause?: unknown }).cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join('\n');
}

describe('SASL passwords', () => {
  it('never appear in the error or the log of a refused SASL login', async () => {
    await requireBroker();
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const logger = memoryLogger();
    // The test broker's listener is PLAINTEXT: it refuses any SASL handshake.
    const err = await createKafkaTransport({
      brokers: [BROKER],
      sasl: { mechanism: 'plain', username: 'tane', password },
      logger,
      kafkaLogLevel: 'debug',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TaneError);
    expect((err as TaneError).code).toBe('TRANSPORT_ERROR');
    expect((err as TaneError).hint).toContain('SASL');
    expect(everythingIn(err)).not.toContain(password);
    expect(logger.entries.length).toBeGreaterThan(0);
    expect(JSON.stringify(logger.entries)).not.toContain(password);
    // Registered, so anything else that logs it is redacted as well.
    expect(redactSecrets(`login with ${password}`)).toBe('login with [redacted]');
  }, 30_000);

  it('never appear when the login comes from TANE_KAFKA_* variables through the factory', async () => {
    await requireBroker();
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const logger = memoryLogger();
    const err = await kafkaTransportFactory
      .create(`kafka://${BROKER}`, {
        logger,
        env: {
          TANE_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
          TANE_KAFKA_USERNAME: 'tane',
          TANE_KAFKA_PASSWORD: password,
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(TaneError);
    expect(everythingIn(err)).not.toContain(password);
    expect(JSON.stringify(logger.entries)).not.toContain(password);
    expect(redactSecrets(password)).toBe('[redacted]');
  }, 30_000);
});
