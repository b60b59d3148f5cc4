import { checkPluginDefinition } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.ts';

describe('the dataset-sink definition', () => {
  it('holds: strict config schema, valid examples, described routes, declared record types', () => {
    expect(checkPluginDefinition(plugin)).toEqual([]);
  });
});
