import { memoryLogger, stableHash32, TaneError, type TaneRecord } from '@tane/core';
import type { LlmClientFactory } from '@tane/prompt-kit';
import { fakeLlmClients, withLlmClientFactory } from '@tane/prompt-kit/testing';
import { checkPluginDefinition, makeRecord, testPlugin } from '@tane/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createGeneratorStage, type GenerationMeta } from './generator-stage.ts';
import generator from './index.ts';

/** A client whose `chatJson` returns `reply()` (or throws what it throws), and whose plain `chat` returns `plain()`. */
const fakeClients = (reply: () => unknown, plain?: () => string) =>
  fakeLlmClients(reply, plain ? { plain } : {});

const pluginWith = (factory: LlmClientFactory) =>
  withLlmClientFactory(generator, createGeneratorStage, factory);

const category = {
  id: 'keigo-rewrite',
  name: '敬語への書き換え',
  description: 'くだけた文を敬語に書き換える。',
  language: 'ja',
  target: 10,
  weight: 1,
};
const fewShot = [
  {
    id: 'keigo-rewrite-001',
    source: 'seed',
    instruction: '次の文を取引先向けの敬語に書き換えてください。',
    input: '資料見ました。',
    output: '資料を拝見しました。',
  },
  {
    id: 'keigo-rewrite-002',
    source: 'generated',
    instruction: '次の社内チャットを部長宛ての文に直してください。',
    input: '明日休みます。',
    output: '明日はお休みをいただきます。',
  },
];
const task = (extra: Partial<TaneRecord> = {}, data: Record<string, unknown> = {}) =>
  makeRecord({
    id: 'task-1',
    type: 'task',
    category: 'keigo-rewrite',
    data: { runId: 'r1', index: 0, k: 4, fewShot, ...data },
    meta: { category },
    ...extra,
  });

const good = [
  {
    instruction: '次の依頼文を顧客向けの丁寧な表現に直してください。',
    input: '明日までに返事ください。',
    output: '明日までにご返信いただけますと幸いです。',
  },
  {
    instruction: '上司への報告として適切な敬語に書き換えてください。',
    input: '会議、終わった。',
    output: '会議が終了いたしました。',
  },
  { instruction: '添付の写真を見て、敬語で感想を書いてください。', input: '', output: '拝見いたしました。' },
  {
    instruction: '次の文を取引先向けの敬語に書き換えてください。',
    input: '資料見ました。',
    output: '資料を拝見いたしました。',
  },
];

describe('generator stage', () => {
  it('emits one candidate per example, filtered ones on `filtered` with the filter in meta.outcome', async () => {
    const { factory } = fakeClients(() => ({ examples: good }));
    const h = await testPlugin(pluginWith(factory), { stage: 'generator' });
    const out = await h.run([task()]);
    expect(out.failed).toEqual([]);
    expect(out.byRoute.candidate?.map((r) => r.data)).toEqual([good[0], good[1]]);
    expect(out.byRoute.filtered?.map((r) => r.meta.outcome)).toEqual([
      { status: 'rejected', reason: 'filter', detail: 'blocklist', stage: 'generator' },
      { status: 'rejected', reason: 'filter', detail: 'copy_of_few_shot', stage: 'generator' },
    ]);
    for (const r of out.emissions.map((e) => e.record)) {
      expect(r.type).toBe('candidate');
      expect(r.category).toBe('keigo-rewrite');
      expect(r.lineage.at(-1)).toEqual({
        plugin: '@tane/plugin-mixtral-generator@0.0.0-test',
        stage: 'generator',
      });
    }
  });

  it('records model, params, template, few-shot ids and task id in meta.generation, and carries meta.category', async () => {
    const { factory } = fakeClients(() => ({ examples: good.slice(0, 1) }));
    const h = await testPlugin(pluginWith(factory), { stage: 'generator' });
    const [record] = (await h.run([task()])).byRoute.candidate!;
    const generation = record!.meta.generation as GenerationMeta;
    expect(generation).toEqual({
      model: 'default-model',
      params: { temperature: 0.9, top_p: 0.95, max_tokens: 4096, seed: stableHash32('task-1') & 0x7fffffff },
      template: { id: 'tane-generate-ja', version: '1' },
      fewShotIds: ['keigo-rewrite-001', 'keigo-rewrite-002'],
      taskId: 'task-1',
      round: 1,
    });
    expect(record!.meta.category).toEqual(category);
  });

  it('gives the same ids on a second run of the same task, and different ids for another task', async () => {
    const { factory } = fakeClients(() => ({ examples: good }));
    const ids = async (t: TaneRecord) => {
      const h = await testPlugin(pluginWith(factory), { stage: 'generator' });
      return (await h.run([t])).emissions.map((e) => e.record.id);
    };
    const first = await ids(task());
    expect(new Set(first).size).toBe(4);
    expect(await ids(task())).toEqual(first);
    expect(await ids(task({ id: 'task-2' }))).not.toEqual(first);
  });

  it('asks for data.k examples (capped at 20), or config k, and keeps at most k', async () => {
    const { factory, calls } = fakeClients(() => ({ examples: good }));
    const h = await testPlugin(pluginWith(factory), { config: { k: 3 } });
    const out = await h.run([
      task({}, { k: 2 }),
      task({ id: 't2' }, { k: undefined }),
      task({ id: 't3' }, { k: 99 }),
    ]);
    const markers = calls.map((c) => /tane-k: (\d+)/.exec(c.req.messages[0]!.content)![1]);
    expect(markers).toEqual(['2', '3', '20']);
    expect(
      out.emissions.filter(
        (e) => e.record.meta.generation && (e.record.meta.generation as GenerationMeta).taskId === 'task-1',
      ),
    ).toHaveLength(2);
  });

  it('sends a seed derived from the task id, so equal prompts of two tasks differ and a retry repeats', async () => {
    const { factory, calls } = fakeClients(() => ({ examples: good.slice(0, 1) }));
    const h = await testPlugin(pluginWith(factory));
    await h.run([task(), task({ id: 'task-2' }), task()]);
    const seeds = calls.map((c) => c.req.params?.seed);
    expect(seeds[0]).toEqual(seeds[2]);
    expect(seeds[0]).not.toEqual(seeds[1]);
    expect(seeds.every((s) => typeof s === 'number' && s >= 0 && s < 2 ** 31)).toBe(true);
    const off = fakeClients(() => ({ examples: good.slice(0, 1) }));
    await (await testPlugin(pluginWith(off.factory), { config: { seedPerTask: false } })).run([task()]);
    expect(off.calls[0]!.req.params).toEqual({ temperature: 0.9, top_p: 0.95, max_tokens: 4096 });
  });

  it('applies the category model and temperature per record', async () => {
    const { factory, calls } = fakeClients(() => ({ examples: good.slice(0, 1) }));
    const h = await testPlugin(pluginWith(factory), { config: { llm: { model: 'mixtral' } } });
    const out = await h.run([
      task(),
      task({ id: 't2', meta: { category: { ...category, model: { name: 'qwen2', temperature: 0.5 } } } }),
    ]);
    expect(calls.map((c) => c.config.model)).toEqual(['mixtral', 'qwen2']);
    expect(calls.map((c) => c.req.params?.temperature)).toEqual([0.9, 0.5]);
    expect(out.emissions.map((e) => (e.record.meta.generation as GenerationMeta).model)).toEqual([
      'mixtral',
      'qwen2',
    ]);
  });

  it('passes the signal, the plugin and the category to the client, and keeps the cache in the data folder', async () => {
    const { factory, calls } = fakeClients(() => ({ examples: good.slice(0, 1) }));
    const h = await testPlugin(pluginWith(factory), { dataDir: '/tmp/tane-data' });
    await h.run([task()]);
    expect(calls[0]!.req.signal).toBeInstanceOf(AbortSignal);
    expect(calls[0]!.req.plugin).toBe('@tane/plugin-mixtral-generator@0.0.0-test');
    expect(calls[0]!.req.category).toBe('keigo-rewrite');
    expect(calls[0]!.req.schemaName).toBe('tane_generate');
    expect(calls[0]!.config.cachePath).toBe('/tmp/tane-data/llm-cache.db');
  });

  it('reads a numbered-list reply when the JSON check failed and the reply text is on the error', async () => {
    const text =
      '1. 指示: 次の依頼文を顧客向けの丁寧な表現に直してください。\n入力: 明日までに返事ください。\n出力: 明日までにご返信いただけますと幸いです。';
    const error = new TaneError('LLM_INVALID_OUTPUT', 'reply is not JSON', { cause: { content: text } });
    const { factory } = fakeClients(() => {
      throw error;
    });
    const logger = memoryLogger();
    const h = await testPlugin(pluginWith(factory), { logger });
    const out = await h.run([task()]);
    expect(out.byRoute.candidate?.map((r) => r.data)).toEqual([good[0]]);
    expect(logger.entries.some((e) => e.level === 'warn' && e.fields.format === 'numbered-list')).toBe(true);
  });

  it('asks once more without structured output and reads a numbered list when the error has no reply text', async () => {
    const error = new TaneError('LLM_INVALID_OUTPUT', 'reply is not JSON; excerpt: "1. 指示: 次の依頼"');
    const list = [
      '1. Instruction: 次の依頼文を顧客向けの丁寧な表現に直してください。',
      'Input: 明日までに返事ください。',
      'Output: 明日までにご返信いただけますと幸いです。',
      '2. Instruction: 上司への報告として適切な敬語に書き換えてください。',
      'Input: 会議、終わった。',
      'Output: 会議が終了いたしました。',
    ].join('\n');
    const { factory, plainCalls, calls } = fakeClients(
      () => {
        throw error;
      },
      () => list,
    );
    const out = await (await testPlugin(pluginWith(factory))).run([task()]);
    expect(out.failed).toEqual([]);
    expect(out.byRoute.candidate?.map((r) => r.data)).toEqual([good[0], good[1]]);
    expect(plainCalls).toHaveLength(1);
    expect(plainCalls[0]!.messages).toEqual(calls[0]!.req.messages);
    expect(plainCalls[0]!.signal).toBeInstanceOf(AbortSignal);
  });

  it('fails the task with the LLM error when the reply cannot be read at all', async () => {
    const error = new TaneError('LLM_INVALID_OUTPUT', '/examples: must be array; reply: "{\\"oops\\""');
    const { factory, plainCalls } = fakeClients(
      () => {
        throw error;
      },
      () => '申し訳ありませんが、お手伝いできません。',
    );
    const out = await (await testPlugin(pluginWith(factory))).run([task()]);
    expect(out.failed).toEqual([
      {
        record: expect.objectContaining({ id: 'task-1' }),
        code: 'LLM_INVALID_OUTPUT',
        message: error.message,
      },
    ]);
    expect(plainCalls).toHaveLength(1);
  });

  it('makes no fallback request when the fallback is off', async () => {
    const error = new TaneError('LLM_INVALID_OUTPUT', 'not JSON');
    const { factory, plainCalls } = fakeClients(
      () => {
        throw error;
      },
      () => '1. Instruction: a\nInput:\nOutput: b',
    );
    const out = await (await testPlugin(pluginWith(factory), { config: { fallback: false } })).run([task()]);
    expect(out.failed.map((f) => f.code)).toEqual(['LLM_INVALID_OUTPUT']);
    expect(plainCalls).toHaveLength(0);
  });

  it('passes other LLM errors through unchanged', async () => {
    const error = new TaneError('LLM_BUDGET_EXHAUSTED', 'token budget of 1000 spent');
    const { factory } = fakeClients(() => {
      throw error;
    });
    const out = await (await testPlugin(pluginWith(factory))).run([task()]);
    expect(out.failed.map((f) => f.code)).toEqual(['LLM_BUDGET_EXHAUSTED']);
  });

  it('rejects a task without few-shot examples or category with INPUT_INVALID', async () => {
    const { factory, calls } = fakeClients(() => ({ examples: good }));
    const h = await testPlugin(pluginWith(factory));
    const out = await h.run([task({}, { fewShot: [] }), task({ id: 't2', meta: {} })]);
    expect(out.failed.map((f) => f.code)).toEqual(['INPUT_INVALID', 'INPUT_INVALID']);
    expect(out.failed[0]!.message).toContain('data.fewShot');
    expect(out.failed[1]!.message).toContain('meta.category');
    expect(calls).toHaveLength(0);
  });

  it('uses a category template override relative to the pipeline folder and records its id', async () => {
    const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tane-gen-'));
    mkdirSync(join(dir, 'prompts'));
    writeFileSync(
      join(dir, 'prompts/keigo.md'),
      '---\nid: keigo-special\nversion: 2\n---\n<!-- user -->\n{{k}}件、敬語の例を作ってください。',
    );
    const { factory, calls } = fakeClients(() => ({ examples: good.slice(0, 1) }));
    const h = await testPlugin(pluginWith(factory), { baseDir: dir });
    const out = await h.run([
      task({
        meta: {
          category: { ...category, prompt: { template: 'prompts/keigo.md', extra: '相手は顧客に限る。' } },
        },
      }),
    ]);
    expect((out.emissions[0]!.record.meta.generation as GenerationMeta).template).toEqual({
      id: 'keigo-special',
      version: '2',
    });
    const user = calls[0]!.req.messages[1]!.content;
    expect(user.startsWith('4件、敬語の例を作ってください。\n\n相手は顧客に限る。\n\n```json')).toBe(true);
    expect(calls[0]!.req.messages[0]!.content).toBe(
      'tane-task: generate\ntane-lang: ja\ntane-category: keigo-rewrite\ntane-k: 4',
    );
  });
});

// The harness tests above reach every route: what they saw must match the definition.
afterAll(() => expect(checkPluginDefinition(generator, { behaviour: true })).toEqual([]));
