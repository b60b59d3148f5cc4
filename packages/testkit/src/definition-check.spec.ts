import { definePlugin, ENGINE_API, type PluginDefinition, TaneError } from '@tane/core';
import { describe, expect, it } from 'vitest';
import { checkPluginDefinition, observedBehaviour } from './definition-check.ts';
import { makeRecord } from './make-record.ts';
import { testPlugin } from './plugin-harness.ts';

/** A plugin that routes by `data.to` and can be told to emit another record type (`data.as`). */
function router(name: string, emits: string[] = ['candidate']): PluginDefinition<unknown> {
  return definePlugin<Record<string, never>>({
    name,
    version: '1.0.0',
    engineApi: ENGINE_API,
    summary: 'Routes by data.to',
    description: 'Sends each record to the route named in `data.to`.',
    examples: [{ title: 'Default', config: {} }],
    configSchema: { type: 'object', additionalProperties: false, properties: {} },
    routes: [
      { name: 'ok', description: 'most records' },
      { name: 'rare', description: 'records that ask for it' },
    ],
    accepts: ['candidate'],
    emits,
    create: () => ({
      kind: 'handler',
      async handle(record) {
        const data = record.data as { to?: string; as?: string };
        if (!data.to) throw new TaneError('INPUT_INVALID', 'no data.to');
        return { route: data.to, record: data.as ? { ...record, type: data.as } : record };
      },
    }),
  }) as PluginDefinition<unknown>;
}

const rec = (data: Record<string, unknown>, type = 'candidate') => makeRecord({ type, data });

async function drive(plugin: PluginDefinition<unknown>, records: ReturnType<typeof rec>[]) {
  const h = await testPlugin(plugin);
  const out = await h.run(records);
  await h.close();
  return out;
}

describe('checkPluginDefinition with behaviour', () => {
  it('holds when the tests reached every route with the declared types', async () => {
    const plugin = router('t-all-reached');
    await drive(plugin, [rec({ to: 'ok' }), rec({ to: 'rare' })]);
    expect(checkPluginDefinition(plugin, { behaviour: true })).toEqual([]);
  });

  it('reports a route the tests never reached, unless it is named unreachable', async () => {
    const plugin = router('t-unreached');
    await drive(plugin, [rec({ to: 'ok' })]);
    expect(checkPluginDefinition(plugin, { behaviour: true })).toEqual([
      "route 'rare' is never reached in the tests",
    ]);
    expect(
      checkPluginDefinition(plugin, { behaviour: true, unreachable: { rare: 'needs a full disk' } }),
    ).toEqual([]);
    // Without behaviour, only the definition itself is checked.
    expect(checkPluginDefinition(plugin)).toEqual([]);
  });

  it('reports a record type emitted but not in emits, and one handled but not in accepts', async () => {
    const plugin = router('t-undeclared');
    await drive(plugin, [rec({ to: 'ok', as: 'task' }), rec({ to: 'rare', as: 'candidate' }, 'dlq')]);
    expect(checkPluginDefinition(plugin, { behaviour: true })).toEqual([
      `handled a 'dlq' record, but accepts lists ["candidate"]`,
      `emitted a 'task' record, but emits lists ["candidate"]`,
    ]);
  });

  it('does not count inputs the stage failed on', async () => {
    const plugin = router('t-failed');
    const out = await drive(plugin, [rec({}, 'task')]);
    expect(out.failed).toHaveLength(1);
    expect(observedBehaviour(plugin).accepted.size).toBe(0);
    expect(checkPluginDefinition(plugin, { behaviour: true })).toEqual([
      "route 'ok' is never reached in the tests",
      "route 'rare' is never reached in the tests",
    ]);
  });

  it('keeps what each plugin did apart', async () => {
    const a = router('t-apart-a');
    const b = router('t-apart-b');
    await drive(a, [rec({ to: 'ok' }), rec({ to: 'rare' })]);
    expect(checkPluginDefinition(a, { behaviour: true })).toEqual([]);
    expect(checkPluginDefinition(b, { behaviour: true })).toHaveLength(2);
  });
});
