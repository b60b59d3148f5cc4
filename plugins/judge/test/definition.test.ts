import { checkPluginDefinition } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.ts';

describe('the judge definition', () => {
  it('holds: strict config schema, valid examples, described routes, declared record types', () => {
    expect(checkPluginDefinition(plugin)).toEqual([]);
  });
});
