import { memoryLogger, registerSecret } from '@tane/core';
import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogCreator } from './kafka-log-creator.ts';

describe('kafkaLogCreator', () => {
  it("routes kafkajs's log to the tane logger, errors as warnings, with secrets removed", () => {
    registerSecret('log-secret-5555');
    const logger = memoryLogger();
    const log = kafkaLogCreator(logger)(logLevel.WARN);
    const entry = (level: logLevel, message: string, extra: Record<string, unknown> = {}) =>
      log({ namespace: 'Connection', level, label: '', log: { timestamp: 'now', message, ...extra } });

    entry(logLevel.ERROR, 'Connection error: refused', { broker: '127.0.0.1:9092' });
    entry(logLevel.INFO, 'Consumer has joined the group');
    entry(logLevel.DEBUG, 'Request Fetch', { payload: { note: 'log-secret-5555' } });
    entry(logLevel.WARN, 'auth with log-secret-5555 failed', { sasl: { password: 'log-secret-5555' } });
    entry(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees');
    entry(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', {
      error: 'The group is rebalancing, so a rejoin is needed',
    });

    // A heartbeat refused during a rebalance is routine: debug, not a warning.
    expect(logger.entries.map((e) => e.level)).toEqual(['warn', 'info', 'debug', 'warn', 'debug']);
    expect(logger.entries[0]).toMatchObject({
      msg: 'kafkajs: Connection error: refused',
      fields: { broker: '127.0.0.1:9092' },
    });
    expect(JSON.stringify(logger.entries)).not.toContain('log-secret-5555');
    expect(logger.entries[3]?.fields.sasl).toBeUndefined();
  });
});
