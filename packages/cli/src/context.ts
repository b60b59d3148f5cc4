import type { Logger } from '@tane/core';
import { type Command, Option } from 'commander';
import { createLogger, type LogFormat } from './logger.ts';
import { DEFAULT_DATA_DIR, openTransport, transportUrl } from './open-transport.ts';

/** Options every command that touches topics accepts. */
export interface CommonOptions {
  transport?: string;
  /** Local state: the embedded log (unless a transport is named), LLM cache, dataset folders. */
  dataDir?: string;
  logFormat?: LogFormat;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  quiet?: boolean;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--transport <url>',
        'where topics live: local:<file.db> or kafka://host:port (env TANE_TRANSPORT)',
      ).default(undefined, 'local:<data-dir>/tane.db'),
    )
    .option(
      '--data-dir <dir>',
      'local state: the embedded log (unless --transport or TANE_TRANSPORT names one), LLM cache and datasets',
      DEFAULT_DATA_DIR,
    )
    .addOption(
      new Option('--log-format <format>', 'log lines as text or JSON (pino)')
        .choices(['pretty', 'json'])
        .default('pretty'),
    )
    .addOption(
      new Option('--log-level <level>', 'least severe level logged')
        .choices(['debug', 'info', 'warn', 'error', 'silent'])
        .default('info'),
    )
    .option('-q, --quiet', 'print only results and errors (no progress, no info logs)');
}

export function loggerFor(opts: CommonOptions): Logger {
  const level = opts.quiet ? 'warn' : (opts.logLevel ?? 'info');
  return createLogger({ format: opts.logFormat ?? 'pretty', level });
}

export async function transportFor(opts: CommonOptions, logger: Logger) {
  return openTransport(transportUrl(opts.transport, opts.dataDir), logger);
}
