import { type Logger, TaneError, type TransportFactory } from '@tane/core';
import { createLocalTransport, type LocalTransportOptions } from './local-transport.ts';

/**
 * The file path in a `local:` URL: `local:./.tane/tane.db`, `local:/var/lib/tane.db`,
 * `local:///var/lib/tane.db`.
 *
 * @example
 * ```ts
 * parseLocalUrl('local:./.tane/tane.db'); // './.tane/tane.db'
 * ```
 */
export function parseLocalUrl(url: string): string {
  const match = /^local:(?:\/\/)?(.*)$/.exec(url.trim());
  const path = match?.[1];
  if (!path) {
    throw new TaneError('CONFIG_INVALID', `not a local transport URL: '${url}'`, {
      where: 'transport',
      hint: 'write local:<path to the store file>, e.g. local:./.tane/tane.db',
    });
  }
  return path;
}

const NUMBER_OPTIONS = [
  'defaultPartitions',
  'pollIntervalMs',
  'leaseTimeoutMs',
  'heartbeatIntervalMs',
  'busyTimeoutMs',
] as const;

function isLogger(value: unknown): value is Logger {
  const v = value as Partial<Logger> | null;
  return typeof v === 'object' && v !== null && typeof v.info === 'function' && typeof v.child === 'function';
}

/**
 * Opens the local transport from a URL, for the CLI and the pipeline file
 * (`transport: local:./.tane/tane.db`). Known options are taken from `options`;
 * unknown ones are ignored.
 *
 * @example
 * ```ts
 * const transport = await localTransportFactory.create('local:./.tane/tane.db', { logger });
 * ```
 */
export const localTransportFactory: TransportFactory = {
  scheme: 'local',
  async create(url: string, options: Record<string, unknown> = {}) {
    const settings: LocalTransportOptions = { path: parseLocalUrl(url) };
    for (const name of NUMBER_OPTIONS) {
      const value = options[name];
      if (value === undefined) continue;
      if (typeof value !== 'number') {
        throw new TaneError('CONFIG_INVALID', `${name} must be a number`, {
          where: `transport option ${name}`,
        });
      }
      settings[name] = value;
    }
    if (options.synchronous === 'normal' || options.synchronous === 'full')
      settings.synchronous = options.synchronous;
    else if (options.synchronous !== undefined) {
      throw new TaneError('CONFIG_INVALID', `synchronous must be 'normal' or 'full'`, {
        where: 'transport option synchronous',
      });
    }
    if (isLogger(options.logger)) settings.logger = options.logger;
    return createLocalTransport(settings);
  },
};
