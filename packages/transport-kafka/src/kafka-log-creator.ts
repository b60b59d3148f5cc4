import { type Logger, redactSecrets } from '@tane/core';
import { type logCreator, logLevel } from 'kafkajs';

/** How much of kafkajs's own logging passes through: `warn` (the default) keeps the log quiet. */
export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export const kafkaLogLevels: Record<KafkaLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

// kafkajs says these when tane deliberately chose the behaviour; repeating them
// on every start would only teach users to ignore warnings.
const EXPECTED_WARNINGS = [
  /Limiting retries for the idempotent producer/,
  /KafkaJS v2\.0\.0 switched default partitioner/,
];

// Routine events that kafkajs reports as errors: a rebalance, a coordinator or
// leader still being elected on a fresh broker. kafkajs retries them itself.
const ROUTINE =
  /rebalanc|coordinator is not available|coordinator is loading|not the correct coordinator|no leader for this topic-partition|leadership election/i;

function isRoutine(message: string, extra: Record<string, unknown>): boolean {
  if (message === 'The group is rebalancing, re-joining') return true;
  return /^Response \w+\(key: \d+, version: \d+\)$/.test(message) && ROUTINE.test(String(extra.error ?? ''));
}

function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value instanceof Error) return redactSecrets(`${value.name}: ${value.message}`);
  if (depth > 3 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // SASL settings can travel in kafkajs log context; never pass them on.
    if (/^(sasl|password|ssl)$/i.test(k)) continue;
    out[k] = redactValue(v, depth + 1);
  }
  return out;
}

/**
 * Routes kafkajs's log through tane's {@link Logger}, with secrets redacted.
 * kafkajs `ERROR` lines become warnings: kafkajs retries on its own, and what
 * fails for good reaches the caller as a `TaneError` anyway.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, stack: _stack, ...extra } = log;
      if (EXPECTED_WARNINGS.some((re) => re.test(message))) return;
      const fields = { kafkajs: namespace, ...(redactValue(extra) as Record<string, unknown>) };
      const msg = `kafkajs: ${redactSecrets(message)}`;
      if (isRoutine(message, extra)) logger.debug(msg, fields);
      else if (level <= logLevel.WARN) logger.warn(msg, fields);
      else if (level === logLevel.INFO) logger.info(msg, fields);
      else logger.debug(msg, fields);
    };
}
