import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncPluginReadmes } from '../src/plugin-readmes.ts';

describe("every plugin README's Configuration section", () => {
  it('is what the plugin definition generates (npm run docs:plugins rewrites it)', async () => {
    const drift = await syncPluginReadmes(resolve(import.meta.dirname, '../../../plugins'), false);
    expect(
      drift.map((d) => d.readme),
      'README sections out of date: run npm run docs:plugins',
    ).toEqual([]);
  });
});
