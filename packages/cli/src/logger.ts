import { type Logger, redactSecrets, redactValue } from '@tane/core';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

export type LogFormat = 'pretty' | 'json';

export interface LoggerOptions {
  format: LogFormat;
  level: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Where log lines go (default stderr, so stdout stays for results). */
  destination?: NodeJS.WritableStream;
}

const clean = (fields: Record<string, unknown> | undefined) =>
  fields === undefined ? undefined : redactValue(fields);

function adapt(p: PinoLogger): Logger {
  return {
    debug: (msg, fields) => p.debug(clean(fields) ?? {}, redactSecrets(msg)),
    info: (msg, fields) => p.info(clean(fields) ?? {}, redactSecrets(msg)),
    warn: (msg, fields) => p.warn(clean(fields) ?? {}, redactSecrets(msg)),
    error: (msg, fields) => p.error(clean(fields) ?? {}, redactSecrets(msg)),
    child: (bindings) => adapt(p.child(clean(bindings) ?? {})),
  };
}

/**
 * The one logger of the CLI: JSON lines (pino) for machines, or short
 * human lines. Every message and field passes through `redactSecrets`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stderr;
  if (options.format === 'json') {
    return adapt(pino({ level: options.level, base: { service: 'tane' } }, destination as DestinationStream));
  }
  const levels = ['debug', 'info', 'warn', 'error'];
  const min = options.level === 'silent' ? 99 : levels.indexOf(options.level);
  const make = (bindings: Record<string, unknown>): Logger => {
    const write = (level: string, msg: string, fields?: Record<string, unknown>) => {
      if (levels.indexOf(level) < min) return;
      const all = redactValue({ ...bindings, ...(fields ?? {}) });
      delete all.pipeline;
      delete all.group;
      const extras = Object.entries(all)
        // A value with a line break or control character (a reply excerpt) is quoted, so one entry stays one line.
        .map(
          ([k, v]) =>
            `${k}=${typeof v === 'string' && !/\p{Cc}|[\u2028\u2029]/u.test(v) ? v : JSON.stringify(v)}`,
        )
        .join(' ');
      const tag = level === 'info' ? '' : `${level.toUpperCase()} `;
      destination.write(redactSecrets(`${tag}${msg}${extras ? `  ${extras}` : ''}`) + '\n');
    };
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      child: (b) => make({ ...bindings, ...b }),
    };
  };
  return make({});
}
