import { checkPluginDefinition } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.ts';

// The behaviour check (every route reached, only declared record types handled and emitted)
// runs at the end of src/repairer-stage.spec.ts, whose harness tests reach every route.

describe('the repairer definition', () => {
  it('holds: strict config schema, valid examples, described routes, declared record types', () => {
    expect(checkPluginDefinition(plugin)).toEqual([]);
  });
});
