import { type Logger, registerSecret, TaneError, type Transport, type TransportFactory } from '@tane/core';
import { createKafkaTransport } from './create-kafka-transport.ts';
import { type KafkaLogLevel, kafkaLogLevels } from './kafka-log-creator.ts';
import type { KafkaSaslOptions, KafkaTransportOptions } from './kafka-transport-options.ts';

const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
const NUMBER_OPTIONS = [
  'sessionTimeoutMs',
  'heartbeatIntervalMs',
  'connectionTimeoutMs',
  'connectDeadlineMs',
  'maxWaitTimeMs',
  'maxOutageMs',
  'adminDeadlineMs',
  'maxBufferedBytesPerPartition',
  'transactionTimeoutMs',
] as const;

/** `TANE_KAFKA_TRANSACTIONS`: on unless `0`, `false`, `no` or `off`. */
function transactionsFromEnv(value: string | undefined): boolean | undefined {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  throw new TaneError('CONFIG_INVALID', `TANE_KAFKA_TRANSACTIONS must be 1 or 0, got '${value}'`, {
    hint: 'unset it for exactly-once output (the default), or set TANE_KAFKA_TRANSACTIONS=0 for at-least-once',
  });
}

/** `host` → `host:9092`, `[::1]` → `[::1]:9092`; an explicit port is kept. */
function withDefaultPort(broker: string): string {
  const hasPort = broker.startsWith('[') ? /\]:\d+$/.test(broker) : /:\d+$/.test(broker);
  return hasPort ? broker : `${broker}:9092`;
}

/**
 * Parses `kafka://host:port[,host:port…]` into broker addresses (port 9092 when
 * left out). Credentials in the URL are refused: they would end up in logs and
 * shell history; SASL comes from the environment.
 *
 * @example
 * ```ts
 * parseKafkaUrl('kafka://10.0.0.5:9092,10.0.0.6'); // ['10.0.0.5:9092', '10.0.0.6:9092']
 * ```
 */
export function parseKafkaUrl(url: string): string[] {
  const match = /^kafka:\/\/(.*)$/i.exec(url.trim());
  if (!match) {
    throw new TaneError('CONFIG_INVALID', `'${url}' is not a kafka:// URL`, {
      hint: 'write it as kafka://host:port[,host:port], e.g. kafka://127.0.0.1:9092',
    });
  }
  const rest = match[1]!.replace(/\/+$/, '');
  if (rest.includes('@')) {
    // Not echoed: the URL holds a password.
    throw new TaneError('CONFIG_INVALID', 'the kafka:// URL contains credentials', {
      hint: 'remove user:password@ from the URL and set TANE_KAFKA_SASL_MECHANISM, TANE_KAFKA_USERNAME and TANE_KAFKA_PASSWORD instead',
    });
  }
  if (rest.includes('/') || rest.includes('?') || rest.includes('#')) {
    throw new TaneError(
      'CONFIG_INVALID',
      `'${url}' has a path or query, which a kafka:// URL does not take`,
      {
        hint: 'write only the brokers: kafka://host:port[,host:port]; TLS and SASL come from TANE_KAFKA_* variables',
      },
    );
  }
  const brokers = rest
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0)
    .map(withDefaultPort);
  if (brokers.length === 0) {
    throw new TaneError('CONFIG_INVALID', `'${url}' names no broker`, {
      hint: 'write it as kafka://host:port, e.g. kafka://127.0.0.1:9092',
    });
  }
  return brokers;
}

/** SASL and TLS settings from `TANE_KAFKA_*` variables. */
export function kafkaSecurityFromEnv(
  env: Record<string, string | undefined> = process.env,
): Pick<KafkaTransportOptions, 'ssl' | 'sasl'> {
  const out: Pick<KafkaTransportOptions, 'ssl' | 'sasl'> = {};
  const ssl = env.TANE_KAFKA_SSL?.trim().toLowerCase();
  if (ssl && ssl !== '0' && ssl !== 'false' && ssl !== 'no') out.ssl = true;
  const mechanism = env.TANE_KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  const username = env.TANE_KAFKA_USERNAME;
  const password = env.TANE_KAFKA_PASSWORD;
  registerSecret(password);
  if (!mechanism) {
    if (username || password) {
      throw new TaneError(
        'CONFIG_INVALID',
        'TANE_KAFKA_USERNAME/TANE_KAFKA_PASSWORD are set but TANE_KAFKA_SASL_MECHANISM is not',
        {
          hint: `set TANE_KAFKA_SASL_MECHANISM to one of ${MECHANISMS.join(', ')}`,
        },
      );
    }
    return out;
  }
  if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new TaneError('CONFIG_INVALID', `TANE_KAFKA_SASL_MECHANISM '${mechanism}' is not supported`, {
      hint: `use one of ${MECHANISMS.join(', ')}`,
    });
  }
  if (!username || !password) {
    throw new TaneError(
      'CONFIG_INVALID',
      `SASL ${mechanism} needs TANE_KAFKA_USERNAME and TANE_KAFKA_PASSWORD`,
      {
        hint: 'set both variables (the password is never logged)',
      },
    );
  }
  out.sasl = { mechanism: mechanism as KafkaSaslOptions['mechanism'], username, password };
  return out;
}

function isLogger(value: unknown): value is Logger {
  return (
    typeof value === 'object' &&
    value !== null &&
    ['debug', 'info', 'warn', 'error', 'child'].every(
      (k) => typeof (value as Record<string, unknown>)[k] === 'function',
    )
  );
}

/**
 * Makes Kafka transports from `kafka://host:port[,host:port]` URLs. SASL and TLS
 * come from `TANE_KAFKA_SASL_MECHANISM`, `TANE_KAFKA_USERNAME`,
 * `TANE_KAFKA_PASSWORD` and `TANE_KAFKA_SSL=1`; numeric settings from
 * `TANE_KAFKA_SESSION_TIMEOUT_MS`, `TANE_KAFKA_HEARTBEAT_INTERVAL_MS`, … (the option name in
 * upper snake case); `TANE_KAFKA_TRANSACTIONS=0` turns exactly-once output off.
 * `options` may carry `logger`, `clientId`, `kafkaLogLevel`, `transactions`,
 * `env` (instead of `process.env`) and the numeric settings of {@link KafkaTransportOptions}.
 *
 * @example
 * ```ts
 * const transport = await kafkaTransportFactory.create('kafka://127.0.0.1:9092', { logger });
 * ```
 */
export const kafkaTransportFactory: TransportFactory = {
  scheme: 'kafka',
  async create(url: string, options: Record<string, unknown> = {}): Promise<Transport> {
    const env = (
      typeof options.env === 'object' && options.env !== null ? options.env : process.env
    ) as Record<string, string | undefined>;
    const settings: KafkaTransportOptions = { brokers: parseKafkaUrl(url), ...kafkaSecurityFromEnv(env) };
    if (typeof options.clientId === 'string') settings.clientId = options.clientId;
    if (isLogger(options.logger)) settings.logger = options.logger;
    if (options.kafkaLogLevel !== undefined) {
      if (typeof options.kafkaLogLevel !== 'string' || !(options.kafkaLogLevel in kafkaLogLevels)) {
        throw new TaneError(
          'CONFIG_INVALID',
          `kafkaLogLevel must be one of ${Object.keys(kafkaLogLevels).join(', ')}`,
          {
            hint: 'use warn (the default) or debug while investigating',
          },
        );
      }
      settings.kafkaLogLevel = options.kafkaLogLevel as KafkaLogLevel;
    }
    if (options.transactions !== undefined) {
      if (typeof options.transactions !== 'boolean') {
        throw new TaneError('CONFIG_INVALID', 'Kafka option transactions must be true or false', {
          hint: 'leave it out for exactly-once output (the default)',
        });
      }
      settings.transactions = options.transactions;
    } else {
      const fromEnv = transactionsFromEnv(env.TANE_KAFKA_TRANSACTIONS);
      if (fromEnv !== undefined) settings.transactions = fromEnv;
    }
    for (const key of NUMBER_OPTIONS) {
      // Each numeric setting can also come from the environment: sessionTimeoutMs ← TANE_KAFKA_SESSION_TIMEOUT_MS.
      const envName = `TANE_KAFKA_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
      const fromEnv = env[envName];
      const value = options[key] ?? (fromEnv === undefined || fromEnv === '' ? undefined : Number(fromEnv));
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        throw new TaneError('CONFIG_INVALID', `Kafka option ${key} must be a positive number`, {
          hint: `remove ${key} or give a number of milliseconds`,
        });
      }
      settings[key] = value;
    }
    return createKafkaTransport(settings);
  },
};
