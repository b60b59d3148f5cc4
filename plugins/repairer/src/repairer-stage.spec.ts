import type { TaneRecord } from '@tane/core';
import type { JsonChatRequest } from '@tane/llm';
import type { LlmClientFactory } from '@tane/prompt-kit';
import { candidateRecord, fakeLlmClients, withLlmClientFactory } from '@tane/prompt-kit/testing';
import { checkPluginDefinition, testPlugin } from '@tane/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import repairer from './index.ts';
import type { RepairReply } from './repair-reply.ts';
import { createRepairerStage, type RepairMeta } from './repairer-stage.ts';

const fakeClients = (answer: (req: JsonChatRequest<unknown>) => RepairReply) =>
  fakeLlmClients(answer, { defaultModel: 'repair-model' });

const pluginWith = (factory: LlmClientFactory) =>
  withLlmClientFactory(repairer, createRepairerStage, factory);

const category = { id: 'meeting-minutes', name: '議事録の要約', description: '要約する。', language: 'ja' };
const judge = { score: 2, verdict: 'repair', reasons: ['出力が文の途中で途切れている'], round: 1 };
const candidate = (meta: Record<string, unknown> = {}): TaneRecord =>
  candidateRecord({
    id: 'cand-1',
    category,
    data: {
      instruction: '次のメモを3行で要約してください。',
      input: '・予算は80万円',
      output: '予算は80万円で、',
    },
    meta: { judge, ...meta },
  });
const fixed = {
  instruction: '次のメモを3行で要約してください。',
  input: '・予算は80万円',
  output: '予算は80万円に決まった。',
};

describe('repairer stage', () => {
  it('rewrites the example from the judge feedback and forwards the same record on `repaired`', async () => {
    const { factory, calls } = fakeClients(() => fixed);
    const h = await testPlugin(pluginWith(factory), { stage: 'repairer' });
    const out = await h.run([candidate()]);
    const [record] = out.byRoute.repaired!;
    expect(record!.id).toBe('cand-1');
    expect(record!.category).toBe('meeting-minutes');
    expect(record!.data).toEqual(fixed);
    expect(record!.meta.repairs).toBe(1);
    expect(record!.meta.category).toEqual(category);
    expect(record!.meta.judge).toEqual(judge);
    expect(record!.meta.repair).toEqual({
      attempt: 1,
      repairer: '@tane/plugin-repairer@0.0.0-test',
      model: 'repair-model',
      params: { temperature: 0.3, top_p: 0.95, max_tokens: 2048 },
      template: { id: 'tane-repair-ja', version: '1' },
      feedback: { score: 2, reasons: ['出力が文の途中で途切れている'], round: 1 },
    } satisfies RepairMeta);
    const [system, user] = calls[0]!.req.messages;
    expect(system!.content.split('\n').slice(0, 3)).toEqual([
      'tane-task: repair',
      'tane-lang: ja',
      'tane-category: meeting-minutes',
    ]);
    const payload = JSON.parse([...user!.content.matchAll(/```json\s*\n([\s\S]*?)```/g)].at(-1)![1]!);
    expect(payload).toEqual({ example: candidate().data, feedback: { score: 2, reasons: judge.reasons } });
    expect(calls[0]!.req.schemaName).toBe('tane_repair');
  });

  it('gives up a repair that is assistant talk instead of sending it back to a lenient judge', async () => {
    for (const output of [
      '承知しました。以下は修正版です。\n予算は80万円に決まった。',
      '申し訳ありませんが、AIアシスタントとしてお応えできません。',
    ]) {
      const { factory } = fakeClients(() => ({ ...fixed, output }));
      const out = await testPlugin(pluginWith(factory), { stage: 'repairer' }).then((h) =>
        h.run([candidate()]),
      );
      expect(out.byRoute.repaired).toBeUndefined();
      const [gaveUp] = out.byRoute.give_up!;
      expect(gaveUp!.meta.outcome).toMatchObject({ status: 'rejected', reason: 'filter' });
      expect(['meta_talk', 'refusal']).toContain((gaveUp!.meta.outcome as { detail: string }).detail);
    }
    const { factory } = fakeClients(() => ({
      ...fixed,
      output: '承知いたしました。予算は80万円に決まりました。',
    }));
    const out = await testPlugin(pluginWith(factory), { stage: 'repairer' }).then((h) =>
      h.run([candidate()]),
    );
    expect(out.byRoute.repaired).toHaveLength(1);
  });

  it('counts repairs up to the bound, then gives up without calling the model', async () => {
    const { factory, calls } = fakeClients(() => fixed);
    const h = await testPlugin(pluginWith(factory), { stage: 'repairer', config: { maxAttempts: 2 } });
    const once = (await h.run([candidate({ repairs: 1 })])).byRoute.repaired![0]!;
    expect(once.meta.repairs).toBe(2);
    expect(calls).toHaveLength(1);
    const out = await h.run([once]);
    expect(out.byRoute.repaired).toBeUndefined();
    expect(calls).toHaveLength(1);
    const [gaveUp] = out.byRoute.give_up!;
    expect(gaveUp!.id).toBe('cand-1');
    expect(gaveUp!.meta.outcome).toEqual({
      status: 'rejected',
      reason: 'repair_limit',
      detail: ['出力が文の途中で途切れている'],
      stage: 'repairer',
    });
    expect(gaveUp!.data).toEqual(once.data);
  });

  it('never repairs with maxAttempts 0', async () => {
    const { factory, calls } = fakeClients(() => fixed);
    const out = await (await testPlugin(pluginWith(factory), { config: { maxAttempts: 0 } })).run([
      candidate(),
    ]);
    expect(Object.keys(out.byRoute)).toEqual(['give_up']);
    expect(calls).toHaveLength(0);
  });

  it('applies the category model and temperature, and a per-task prompt extra', async () => {
    const { factory, calls } = fakeClients(() => fixed);
    const h = await testPlugin(pluginWith(factory));
    await h.run([
      candidate({
        category: {
          ...category,
          model: { name: 'qwen', temperature: 0.1 },
          prompt: { extra: { repair: '箇条書きを使う。' } },
        },
      }),
    ]);
    expect(calls[0]!.config.model).toBe('qwen');
    expect(calls[0]!.req.params?.temperature).toBe(0.1);
    expect(calls[0]!.req.messages[1]!.content).toContain('箇条書きを使う。');
  });

  it('fails a record without judge feedback with INPUT_INVALID', async () => {
    const { factory, calls } = fakeClients(() => fixed);
    const out = await (await testPlugin(pluginWith(factory))).run([candidate({ judge: undefined })]);
    expect(out.failed.map((f) => f.code)).toEqual(['INPUT_INVALID']);
    expect(out.failed[0]!.message).toContain('meta.judge');
    expect(calls).toHaveLength(0);
  });
});

// The harness tests above reach every route: what they saw must match the definition.
afterAll(() => expect(checkPluginDefinition(repairer, { behaviour: true })).toEqual([]));
