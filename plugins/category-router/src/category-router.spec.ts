import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  checkPluginConfig,
  contentId,
  type HandlerStage,
  type PluginDefinition,
  type RecordContext,
  type TaneRecord,
} from '@tane/core';
import { checkPluginDefinition, makeRecord, testPlugin } from '@tane/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import categoryRouter from './index.ts';

const CATEGORIES = `version: 1
language: ja
categories:
  - id: email-reply
    name: ビジネスメール返信
    description: 取引先や社内からのメールに、適切な敬語で返信文を書く。
    target: 3
    rubric: { extra: ["敬語が適切か"] }
  - id: keigo-rewrite
    name: 敬語への書き換え
    description: くだけた文を敬語に書き換える。
    target: 3
    weight: 2
  - id: no-more
    name: Nothing wanted
    description: A category with a target of zero.
    language: en
    target: 0
`;

const baseDir = mkdtempSync(join(tmpdir(), 'tane-router-'));
writeFileSync(join(baseDir, 'categories.yaml'), CATEGORIES);

function task(category: string, index = 0, round?: number): TaneRecord {
  return makeRecord({
    id: contentId('run-1', category, index),
    type: 'task',
    category,
    data: { runId: 'run-1', index, k: 8, ...(round === undefined ? {} : { round }) },
  });
}

function accepted(category: string, n: number, from = 0, round?: number): TaneRecord[] {
  return Array.from({ length: n }, (_, i) =>
    makeRecord({
      id: `${category}-accepted-${from + i}`,
      type: 'candidate',
      category,
      data: { instruction: `instruction ${from + i}`, input: '', output: 'output' },
      meta: {
        outcome: { status: 'accepted', stage: 'dedup' },
        ...(round === undefined ? {} : { generation: { round } }),
      },
    }),
  );
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

async function router(
  options: { topics?: Record<string, TaneRecord[]>; config?: Record<string, unknown> } = {},
) {
  const h = await testPlugin(categoryRouter, {
    baseDir,
    stage: 'router',
    config: { categories: 'categories.yaml', ...options.config },
    topics: { dataset: [], ...options.topics },
  });
  open.push(h);
  return h;
}

describe('category-router', () => {
  it('sets meta.category to the category settings and routes the task on', async () => {
    const h = await router();
    const out = await h.run([task('email-reply')]);
    expect(out.failed).toEqual([]);
    const [routed] = out.byRoute.task ?? [];
    expect(routed?.id).toBe(contentId('run-1', 'email-reply', 0));
    expect(routed?.data).toEqual({ runId: 'run-1', index: 0, k: 8 });
    expect(routed?.meta.category).toEqual({
      id: 'email-reply',
      name: 'ビジネスメール返信',
      description: '取引先や社内からのメールに、適切な敬語で返信文を書く。',
      language: 'ja',
      target: 3,
      weight: 1,
      rubric: { extra: ['敬語が適切か'] },
    });
    expect(routed?.lineage.at(-1)).toEqual({
      plugin: `${categoryRouter.name}@${categoryRouter.version}`,
      stage: 'router',
    });
  });

  it('stops a category that has reached its target and keeps routing the others', async () => {
    const h = await router({
      topics: { dataset: [...accepted('email-reply', 3), ...accepted('keigo-rewrite', 2)] },
    });
    const out = await h.run([task('email-reply', 0), task('email-reply', 1), task('keigo-rewrite', 0)]);
    expect(out.byRoute.quota_reached?.map((r) => r.id)).toEqual([
      contentId('run-1', 'email-reply', 0),
      contentId('run-1', 'email-reply', 1),
    ]);
    expect(out.byRoute.task?.map((r) => r.category)).toEqual(['keigo-rewrite']);
  });

  it('counts an accepted example seen twice once', async () => {
    const twice = accepted('email-reply', 2);
    const h = await router({ topics: { dataset: [...twice, ...twice] } });
    const out = await h.run([task('email-reply')]);
    expect(out.byRoute.task).toHaveLength(1);
  });

  it('stops a category with a target of zero from the start', async () => {
    const h = await router();
    const out = await h.run([task('no-more')]);
    expect(out.byRoute.quota_reached).toHaveLength(1);
  });

  it('stops a category in the next round once enough examples were accepted', async () => {
    const h = await router({ topics: { dataset: accepted('email-reply', 1) } });
    expect((await h.run([task('email-reply', 0, 1)])).byRoute.task).toHaveLength(1);

    // Rows of round 1 reach the target while round 1 runs: round 1's tasks still all run
    // (whether a task runs must not depend on how far its round got), round 2's do not.
    h.publish('dataset', accepted('email-reply', 2, 1, 1));
    await nextTurn();
    expect((await h.run([task('email-reply', 1, 1)])).byRoute.task).toHaveLength(1);
    const out = await h.run([task('email-reply', 2, 2), task('keigo-rewrite', 0, 2)]);
    expect(out.byRoute.quota_reached?.map((r) => r.category)).toEqual(['email-reply']);
    expect(out.byRoute.task?.map((r) => r.category)).toEqual(['keigo-rewrite']);
  });

  it('routes every task when quotas are off', async () => {
    const h = await router({
      config: { quota: { enabled: false } },
      topics: { dataset: accepted('email-reply', 5) },
    });
    const out = await h.run([task('email-reply'), task('no-more')]);
    expect(out.byRoute.task).toHaveLength(2);
    expect(out.byRoute.quota_reached).toBeUndefined();
  });

  it("uses quota.target over every category's target in the file, and says so in meta.category", async () => {
    const three = await router({
      config: { quota: { target: 5 } },
      topics: { dataset: accepted('email-reply', 3) },
    });
    const below = await three.run([task('email-reply'), task('no-more')]);
    // 3 accepted is the file's target but not the stage's 5; a target of 0 in the file is raised too.
    expect(below.byRoute.task?.map((r) => r.category)).toEqual(['email-reply', 'no-more']);
    expect(below.byRoute.task?.map((r) => (r.meta.category as { target: number }).target)).toEqual([5, 5]);
    const five = await router({
      config: { quota: { target: 5 } },
      topics: { dataset: accepted('email-reply', 5) },
    });
    expect((await five.run([task('email-reply')])).byRoute.quota_reached).toHaveLength(1);
  });

  it('counts accepted examples on the configured topic', async () => {
    const h = await router({
      config: { quota: { topic: 'dataset-v2' } },
      topics: { dataset: [], 'dataset-v2': accepted('email-reply', 3) },
    });
    expect((await h.run([task('email-reply')])).byRoute.quota_reached).toHaveLength(1);
  });

  it('fails a task of an unknown category with the reason and what to do', async () => {
    const h = await router();
    const out = await h.run([task('email-replies'), task('email-reply')]);
    expect(out.failed).toEqual([
      expect.objectContaining({ code: 'INPUT_INVALID', message: 'unknown category "email-replies"' }),
    ]);
    expect(out.byRoute.task).toHaveLength(1);

    const stage = h.stage as HandlerStage;
    await expect(stage.handle(task('email-replies'), {} as RecordContext)).rejects.toMatchObject({
      hint: 'add it to categories.yaml or fix the task',
    });
  });

  it('fails a record that is not a task', async () => {
    const h = await router();
    const out = await h.run(accepted('email-reply', 1));
    expect(out.failed).toEqual([
      expect.objectContaining({
        code: 'INPUT_INVALID',
        message: 'expected a task record, got type "candidate"',
      }),
    ]);
  });

  it('fails to start on an invalid categories file, naming file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-router-bad-'));
    writeFileSync(
      join(dir, 'bad.yaml'),
      'version: 1\nlanguage: ja\ncategories:\n  - {id: a, name: A, description: d, target: many}\n',
    );
    await expect(
      testPlugin(categoryRouter, { baseDir: dir, config: { categories: 'bad.yaml' } }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      where: `${join(dir, 'bad.yaml')}:4`,
    });
    await expect(
      testPlugin(categoryRouter, { baseDir: dir, config: { categories: 'missing.yaml' } }),
    ).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
    });
  });

  it('rejects a config without the categories path or with unknown keys', async () => {
    await expect(testPlugin(categoryRouter, { baseDir, config: {} })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(
      testPlugin(categoryRouter, { baseDir, config: { categories: 'categories.yaml', quotas: {} } }),
    ).rejects.toThrow(/unknown key 'quotas'/);
  });
});

describe('category-router definition', () => {
  it('has examples that are valid configs', () => {
    for (const example of categoryRouter.examples) {
      expect(checkPluginConfig(categoryRouter as PluginDefinition<unknown>, example.config).problems).toEqual(
        [],
      );
    }
  });

  it('fills in quota defaults', () => {
    expect(
      checkPluginConfig(categoryRouter as PluginDefinition<unknown>, { categories: 'c.yaml' }).config,
    ).toEqual({
      categories: 'c.yaml',
      quota: { enabled: true, topic: 'dataset' },
    });
  });
});

// The harness tests above reach every route: what they saw must match the definition.
afterAll(() => expect(checkPluginDefinition(categoryRouter, { behaviour: true })).toEqual([]));
