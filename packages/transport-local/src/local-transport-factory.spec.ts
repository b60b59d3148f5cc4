import { describe, expect, it } from 'vitest';
import { localTransportFactory, parseLocalUrl } from './local-transport-factory.ts';

describe('parseLocalUrl', () => {
  it.each([
    ['local:./.tane/tane.db', './.tane/tane.db'],
    ['local:.tane/tane.db', '.tane/tane.db'],
    ['local:/var/lib/tane/tane.db', '/var/lib/tane/tane.db'],
    ['local:///var/lib/tane/tane.db', '/var/lib/tane/tane.db'],
    ['local://./tane.db', './tane.db'],
  ])('reads %s as %s', (url, path) => {
    expect(parseLocalUrl(url)).toBe(path);
  });

  it.each(['local:', 'kafka://127.0.0.1:9092', './tane.db'])('refuses %s', (url) => {
    expect(() => parseLocalUrl(url)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('localTransportFactory', () => {
  it('refuses options of the wrong type before touching the disk', async () => {
    await expect(
      localTransportFactory.create('local:/nonexistent/x.db', { pollIntervalMs: 'fast' }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(
      localTransportFactory.create('local:/nonexistent/x.db', { synchronous: 'off' }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
