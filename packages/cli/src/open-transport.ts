import { type Logger, TaneError, type Transport } from '@tane/core';

/** The embedded default: one SQLite file under the current folder. */
export const DEFAULT_TRANSPORT = 'local:.tane/tane.db';

/** The transport URL in force: `--transport`, else `TANE_TRANSPORT`, else the embedded default. */
export function transportUrl(flag: string | undefined): string {
  return flag ?? process.env.TANE_TRANSPORT ?? DEFAULT_TRANSPORT;
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
