import { join } from 'node:path';
import { type Logger, TaneError, type Transport } from '@tane/core';

/** Where local state lives unless `--data-dir` says otherwise. */
export const DEFAULT_DATA_DIR = '.tane';

/** The embedded default: one SQLite file in the data folder. */
export const DEFAULT_TRANSPORT = `local:${DEFAULT_DATA_DIR}/tane.db`;

/**
 * The transport URL in force: `--transport`, else `TANE_TRANSPORT`, else the
 * embedded log in the data folder (`local:<data-dir>/tane.db`).
 */
export function transportUrl(flag: string | undefined, dataDir?: string): string {
  return (
    flag ??
    process.env.TANE_TRANSPORT ??
    (dataDir === undefined ? DEFAULT_TRANSPORT : `local:${join(dataDir, 'tane.db')}`)
  );
}

/**
 * Opens `local:<path>` (embedded SQLite log) or `kafka://host:port[,host:port]`.
 * Each transport package is loaded only when used.
 */
export async function openTransport(url: string, logger: Logger): Promise<Transport> {
  const scheme = url.split(':')[0];
  if (scheme === 'local') {
    const { localTransportFactory } = await import('@tane/transport-local');
    return localTransportFactory.create(url, { logger });
  }
  if (scheme === 'kafka') {
    const { kafkaTransportFactory } = await import('@tane/transport-kafka');
    return kafkaTransportFactory.create(url, { logger });
  }
  throw new TaneError('USAGE', `unknown transport '${url}'`, {
    hint: 'use local:<file.db> (embedded, default local:.tane/tane.db) or kafka://127.0.0.1:9092',
  });
}
