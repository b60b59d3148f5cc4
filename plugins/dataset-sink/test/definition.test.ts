import { checkPluginDefinition } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.ts';

// The behaviour check (every route reached, only declared record types handled and emitted)
// runs at the end of test/dataset-sink.test.ts (the sink has no routes: it checks what it
// handled against accepts, and that it emitted nothing).

describe('the dataset-sink definition', () => {
  it('holds: strict config schema, valid examples, described routes, declared record types', () => {
    expect(checkPluginDefinition(plugin)).toEqual([]);
  });
});
