import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  checkPluginConfig,
  contentId,
  type HandlerStage,
  memoryLogger,
  type PluginDefinition,
  type RecordContext,
  type TaneRecord,
} from '@tane/core';
import { checkPluginDefinition, makeRecord, type PluginHarness, testPlugin } from '@tane/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { FewShotExample } from './example-pool.ts';
import sampler from './index.ts';

function seeds(category: string, n: number): TaneRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `${category}-${String(i + 1).padStart(3, '0')}`;
    return makeRecord({
      id,
      type: 'seed',
      category,
      data: {
        instruction: `seed instruction ${id}`,
        input: i % 2 === 0 ? '' : `input ${id}`,
        output: `output ${id}`,
      },
    });
  });
}

function accepted(category: string, n: number, from = 0, round?: number): TaneRecord[] {
  return Array.from({ length: n }, (_, i) =>
    makeRecord({
      id: contentId('accepted', category, from + i),
      type: 'candidate',
      category,
      data: {
        instruction: `generated instruction ${from + i}`,
        input: '',
        output: `generated output ${from + i}`,
      },
      meta: {
        outcome: { status: 'accepted', stage: 'dedup' },
        ...(round === undefined ? {} : { generation: { round } }),
      },
    }),
  );
}

function task(category: string, index: number, runId = 'run-1', round?: number): TaneRecord {
  return makeRecord({
    id: contentId(runId, category, index),
    type: 'task',
    category,
    data: { runId, index, k: 8, ...(round === undefined ? {} : { round }) },
    meta: { category: { id: category } },
  });
}

const open: PluginHarness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

async function start(
  topics: Record<string, TaneRecord[]>,
  config: Record<string, unknown> = {},
  logger = memoryLogger(),
) {
  const h = await testPlugin(sampler, {
    stage: 'sampler',
    config,
    logger,
    topics: { seeds: [], dataset: [], ...topics },
  });
  open.push(h);
  return h;
}

function fewShotOf(record: TaneRecord | undefined): FewShotExample[] {
  if (!record) throw new Error('no task was emitted');
  return (record.data as { fewShot: FewShotExample[] }).fewShot;
}

async function sample(h: PluginHarness, t: TaneRecord): Promise<FewShotExample[]> {
  const out = await h.run([t]);
  expect(out.failed).toEqual([]);
  return fewShotOf(out.byRoute.task?.[0]);
}

describe('few-shot-sampler', () => {
  it('attaches k seed examples to a task, keeping the rest of the task', async () => {
    const h = await start({ seeds: [...seeds('email-reply', 10), ...seeds('other', 10)] });
    const out = await h.run([task('email-reply', 0)]);
    const routed = out.byRoute.task?.[0];
    expect(routed?.id).toBe(contentId('run-1', 'email-reply', 0));
    expect(routed?.meta).toEqual({ category: { id: 'email-reply' } });
    expect(routed?.data).toMatchObject({ runId: 'run-1', index: 0, k: 8 });
    const fewShot = fewShotOf(routed);
    expect(fewShot).toHaveLength(8);
    expect(new Set(fewShot.map((e) => e.id)).size).toBe(8);
    for (const e of fewShot) {
      expect(e.id).toMatch(/^email-reply-\d{3}$/);
      expect(e).toEqual({
        id: e.id,
        source: 'seed',
        instruction: `seed instruction ${e.id}`,
        input: expect.any(String),
        output: `output ${e.id}`,
      });
    }
  });

  it('builds the same prompt for the same task id, also after a restart on the same topics', async () => {
    const topics = { seeds: seeds('email-reply', 10), dataset: accepted('email-reply', 30) };
    const first = await start(topics);
    const again = await sample(first, task('email-reply', 3));
    expect(await sample(first, task('email-reply', 3))).toEqual(again);

    const restarted = await start({
      seeds: [...topics.seeds].reverse(),
      dataset: [...topics.dataset].reverse(),
    });
    expect(await sample(restarted, task('email-reply', 3))).toEqual(again);
    expect(await sample(restarted, task('email-reply', 4))).not.toEqual(again);
  });

  it('mixes 6 seeds and 2 accepted examples when there are enough of both', async () => {
    const h = await start({ seeds: seeds('email-reply', 10), dataset: accepted('email-reply', 30) });
    const out = await h.run(Array.from({ length: 20 }, (_, i) => task('email-reply', i)));
    expect(out.byRoute.task).toHaveLength(20);
    for (const t of out.byRoute.task ?? []) {
      const fewShot = fewShotOf(t);
      expect(fewShot.filter((e) => e.source === 'seed')).toHaveLength(6);
      expect(fewShot.filter((e) => e.source === 'generated')).toHaveLength(2);
    }
  });

  it('follows the configured mix', async () => {
    const h = await start(
      { seeds: seeds('email-reply', 10), dataset: accepted('email-reply', 30) },
      { k: 5, seeds: 2, generated: 3 },
    );
    const fewShot = await sample(h, task('email-reply', 0));
    expect(fewShot.map((e) => e.source).sort()).toEqual([
      'generated',
      'generated',
      'generated',
      'seed',
      'seed',
    ]);
  });

  it('uses every seed about equally over 1,000 tasks', async () => {
    const h = await start({ seeds: seeds('email-reply', 10), dataset: accepted('email-reply', 10) });
    const out = await h.run(Array.from({ length: 1000 }, (_, i) => task('email-reply', i)));
    const use = new Map<string, number>();
    for (const t of out.byRoute.task ?? []) {
      for (const e of fewShotOf(t)) if (e.source === 'seed') use.set(e.id, (use.get(e.id) ?? 0) + 1);
    }
    expect(use.size).toBe(10);
    const mean = (1000 * 6) / 10;
    for (const n of use.values()) expect(Math.abs(n - mean)).toBeLessThanOrEqual(mean * 0.3);
  });

  it('offers accepted rows to tasks of later rounds only, whenever they arrive', async () => {
    const h = await start({ seeds: seeds('email-reply', 10) });
    expect((await sample(h, task('email-reply', 0, 'run-1', 1))).every((e) => e.source === 'seed')).toBe(
      true,
    );

    // Rows of round 1 arrive while round 1 is still running: a redo of a round-1 task (or one
    // that happens to run later) must pick exactly what the first one picked.
    const fresh = accepted('email-reply', 2, 0, 1);
    h.publish('dataset', fresh);
    await nextTurn();
    const again = await sample(h, task('email-reply', 0, 'run-1', 1));
    expect(again.every((e) => e.source === 'seed')).toBe(true);
    expect((await sample(h, task('email-reply', 5, 'run-1', 1))).every((e) => e.source === 'seed')).toBe(
      true,
    );

    // A round-2 task reads the topic to its end first, then sees the round-1 rows.
    const fewShot = await sample(h, task('email-reply', 1, 'run-1', 2));
    expect(
      fewShot
        .filter((e) => e.source === 'generated')
        .map((e) => e.id)
        .sort(),
    ).toEqual(fresh.map((r) => r.id).sort());
    expect(fewShot.find((e) => e.id === fresh[0]?.id)).toEqual({
      id: fresh[0]?.id,
      source: 'generated',
      instruction: 'generated instruction 0',
      input: '',
      output: 'generated output 0',
    });
    // Rows of round 2 itself are never offered to round 2, even once they are in the pool.
    h.publish('dataset', accepted('email-reply', 3, 10, 2));
    await nextTurn();
    const later = await sample(h, task('email-reply', 2, 'run-1', 2));
    expect(later.filter((e) => e.source === 'generated').every((e) => fresh.some((f) => f.id === e.id))).toBe(
      true,
    );
  });

  it('gives a replayed task of a past round the examples it had, reading their texts again', async () => {
    const logger = memoryLogger();
    const h = await start({ seeds: seeds('email-reply', 10) }, { maxGenerated: 3 }, logger);
    h.publish('dataset', accepted('email-reply', 20, 0, 1));
    await nextTurn();
    const tasks = Array.from({ length: 6 }, (_, i) => task('email-reply', i, 'run-1', 2));
    const round2 = (await h.run(tasks)).byRoute.task?.map(fewShotOf);
    expect(round2?.flat().filter((e) => e.source === 'generated')).toHaveLength(12);

    // Round 3 starts: the round-1 rows that only round 2 could be offered keep an id, not their texts.
    h.publish('dataset', accepted('email-reply', 20, 100, 2));
    await nextTurn();
    await sample(h, task('email-reply', 0, 'run-1', 3));
    expect(logger.entries.some((e) => e.msg.startsWith('few-shot texts read again'))).toBe(false);

    // The same round-2 tasks again (a replay): the same picks, texts and all.
    expect((await h.run(tasks)).byRoute.task?.map(fewShotOf)).toEqual(round2);
    const restored = logger.entries.find((e) => e.msg.startsWith('few-shot texts read again'));
    expect(restored?.fields).toMatchObject({ topic: 'dataset' });
    expect(restored?.fields.restored).toBeGreaterThan(0);
  });

  it('picks up seeds published while it runs', async () => {
    const h = await start({ seeds: seeds('email-reply', 10) });
    expect((await h.run([task('keigo-rewrite', 0)])).failed).toHaveLength(1);
    h.publish('seeds', seeds('keigo-rewrite', 8));
    await nextTurn();
    expect(await sample(h, task('keigo-rewrite', 0))).toHaveLength(8);
  });

  it('fails a task whose category has no seeds, saying how to add them', async () => {
    const h = await start({ seeds: seeds('email-reply', 10), dataset: accepted('keigo-rewrite', 20) });
    const out = await h.run([task('keigo-rewrite', 0), task('email-reply', 0)]);
    expect(out.failed).toEqual([
      expect.objectContaining({ code: 'INPUT_INVALID', message: 'no seeds for category keigo-rewrite' }),
    ]);
    expect(out.byRoute.task).toHaveLength(1);
    await expect(
      (h.stage as HandlerStage).handle(task('keigo-rewrite', 0), {} as RecordContext),
    ).rejects.toMatchObject({ hint: 'publish seeds with tane publish seeds <file>' });
  });

  it('fails a record that is not a task', async () => {
    const h = await start({ seeds: seeds('email-reply', 10) });
    const out = await h.run(accepted('email-reply', 1));
    expect(out.failed).toEqual([
      expect.objectContaining({
        code: 'INPUT_INVALID',
        message: 'expected a task record, got type "candidate"',
      }),
    ]);
  });

  it('skips records on the topics that are not usable examples, with a warning', async () => {
    const broken = makeRecord({
      id: 'broken',
      type: 'seed',
      category: 'email-reply',
      data: { instruction: '' },
    });
    const logger = memoryLogger();
    const h = await start({ seeds: [broken, ...seeds('email-reply', 3)] }, {}, logger);
    expect(await sample(h, task('email-reply', 0))).toHaveLength(3);
    expect(
      logger.entries.some((e) => e.level === 'warn' && e.msg.startsWith('skipped 1 of 4 records on seeds')),
    ).toBe(true);
  });

  it('rejects a mix that does not add up to k', async () => {
    await expect(testPlugin(sampler, { config: { k: 4 } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'seeds (6) + generated (2) must equal k (4)',
    });
    await expect(testPlugin(sampler, { config: { seed: 6 } })).rejects.toThrow(/unknown key 'seed'/);
  });
});

describe('few-shot-sampler definition', () => {
  it('has examples that are valid configs', () => {
    for (const example of sampler.examples) {
      expect(checkPluginConfig(sampler as PluginDefinition<unknown>, example.config).problems).toEqual([]);
    }
  });
});

// The harness tests above reach every route: what they saw must match the definition.
afterAll(() => expect(checkPluginDefinition(sampler, { behaviour: true })).toEqual([]));
