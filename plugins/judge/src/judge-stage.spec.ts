import { TaneError, type TaneRecord } from '@tane/core';
import type { JsonChatRequest } from '@tane/llm';
import type { LlmClientFactory } from '@tane/prompt-kit';
import { candidateRecord, fakeLlmClients, withLlmClientFactory } from '@tane/prompt-kit/testing';
import { checkPluginDefinition, makeRecord, testPlugin } from '@tane/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import judge from './index.ts';
import type { JudgeReply } from './judge-reply.ts';
import { createJudgeStage, type JudgeMeta } from './judge-stage.ts';

const fakeClients = (answer: (req: JsonChatRequest<unknown>) => JudgeReply) =>
  fakeLlmClients(answer, { defaultModel: 'judge-model' });

const pluginWith = (factory: LlmClientFactory) => withLlmClientFactory(judge, createJudgeStage, factory);

const category = {
  id: 'email-reply',
  name: 'ビジネスメール返信',
  description: '返信を書く。',
  language: 'ja',
  rubric: { extra: ['宛名が正しいか'] },
};
const candidate = (id: string, meta: Record<string, unknown> = {}): TaneRecord =>
  candidateRecord({
    id,
    category,
    data: {
      instruction: '見積依頼に返信してください。',
      input: '見積をお願いします。',
      output: '承知いたしました。',
    },
    taskId: 't',
    meta,
  });
const reply = (score: number, verdict: JudgeReply['verdict'], reasons = [`score ${score}`]): JudgeReply => ({
  score,
  verdict,
  reasons,
  criteria: { 正確さ: score },
});

describe('judge stage', () => {
  it('routes by score with the default thresholds and forwards the same record id', async () => {
    const scores: Record<string, JudgeReply> = {
      a: reply(5, 'accept'),
      b: reply(4, 'accept'),
      c: reply(3, 'repair'),
      d: reply(2, 'repair'),
      e: reply(1, 'reject'),
    };
    const { factory } = fakeClients((req) => {
      const id = /"output": "([a-e])"/.exec(req.messages[1]!.content)![1]!;
      return scores[id]!;
    });
    const h = await testPlugin(pluginWith(factory), { stage: 'judge' });
    const records = Object.keys(scores).map((id) => ({
      ...candidate(id),
      data: { instruction: '見積依頼に返信してください。', input: '', output: id },
    }));
    const out = await h.run(records);
    expect(out.failed).toEqual([]);
    expect(out.byRoute.accept?.map((r) => r.id)).toEqual(['a', 'b']);
    expect(out.byRoute.repair?.map((r) => r.id)).toEqual(['c', 'd']);
    expect(out.byRoute.reject?.map((r) => r.id)).toEqual(['e']);
    expect(out.byRoute.reject![0]!.meta.outcome).toEqual({
      status: 'rejected',
      reason: 'judge',
      detail: ['score 1'],
      stage: 'judge',
    });
    expect(out.byRoute.accept![0]!.meta.outcome).toBeUndefined();
    expect(out.byRoute.accept![0]!.data).toEqual(records[0]!.data);
  });

  it("accepts an imported row outside its source's judged share without a model call, and judges the others", async () => {
    const { factory, calls } = fakeClients(() => reply(1, 'reject'));
    const h = await testPlugin(pluginWith(factory), { stage: 'judge' });
    const out = await h.run([
      candidate('skipped', { import: { source: 'dolly@abc', judge: false } }),
      candidate('judged', { import: { source: 'dolly@abc', judge: true } }),
    ]);
    expect(calls).toHaveLength(1);
    expect(out.byRoute.accept?.map((r) => r.id)).toEqual(['skipped']);
    expect(out.byRoute.accept![0]!.meta.judgeSkipped).toEqual({
      reason: 'source-policy',
      source: 'dolly@abc',
      stage: 'judge',
    });
    expect(out.byRoute.accept![0]!.meta.judge).toBeUndefined();
    expect(out.byRoute.reject?.map((r) => r.id)).toEqual(['judged']);
  });

  it("sets meta.judge with the reply, the final and the model's verdict, the plugin, round, model and template", async () => {
    const { factory } = fakeClients(() => reply(5, 'repair', ['敬語が一部不自然']));
    const h = await testPlugin(pluginWith(factory), { stage: 'judge' });
    const [record] = (await h.run([candidate('x')])).byRoute.repair!;
    expect(record!.meta.judge).toEqual({
      score: 5,
      verdict: 'repair',
      modelVerdict: 'repair',
      reasons: ['敬語が一部不自然'],
      criteria: { 正確さ: 5 },
      judge: '@tane/plugin-judge@0.0.0-test',
      round: 1,
      model: 'judge-model',
      template: { id: 'tane-judge-ja', version: '1' },
    } satisfies JudgeMeta);
    expect(record!.meta.judgeHistory).toBeUndefined();
    expect(record!.meta.generation).toEqual({ taskId: 't' });
  });

  it('moves the previous judgement to meta.judgeHistory and counts rounds', async () => {
    const { factory } = fakeClients(() => reply(4, 'accept'));
    const h = await testPlugin(pluginWith(factory));
    const first = { score: 2, verdict: 'repair', reasons: ['短すぎる'], round: 1 };
    const [record] = (await h.run([candidate('x', { judge: first, repairs: 1 })])).byRoute.accept!;
    expect(record!.meta.judgeHistory).toEqual([first]);
    expect((record!.meta.judge as JudgeMeta).round).toBe(2);
    expect(record!.meta.repairs).toBe(1);
    const again = (await h.run([record!])).byRoute.accept![0]!;
    expect(again.meta.judgeHistory).toHaveLength(2);
    expect((again.meta.judge as JudgeMeta).round).toBe(3);
  });

  it('honours configured and per-category thresholds', async () => {
    const { factory } = fakeClients(() => reply(4, 'accept'));
    const strict = await testPlugin(pluginWith(factory), {
      config: { thresholds: { accept: 5, repair: 3 } },
    });
    expect(Object.keys((await strict.run([candidate('x')])).byRoute)).toEqual(['repair']);
    const perCategory = await testPlugin(pluginWith(factory));
    const rec = candidate('y', {
      category: { ...category, rubric: { thresholds: { accept: 5, repair: 5 } } },
    });
    expect(Object.keys((await perCategory.run([rec])).byRoute)).toEqual(['reject']);
  });

  it('refuses thresholds where repair is above accept', async () => {
    const { factory } = fakeClients(() => reply(4, 'accept'));
    await expect(
      testPlugin(pluginWith(factory), { config: { thresholds: { accept: 3, repair: 4 } } }),
    ).rejects.toThrow(/repair \(4\) is above accept \(3\)/);
  });

  it('sends the rubric with the category extra criteria, the marker and the category model name', async () => {
    const { factory, calls } = fakeClients(() => reply(4, 'accept'));
    const h = await testPlugin(pluginWith(factory));
    await h.run([candidate('x', { category: { ...category, model: { name: 'qwen', temperature: 1.2 } } })]);
    const user = calls[0]!.req.messages[1]!.content;
    const payload = JSON.parse([...user.matchAll(/```json\s*\n([\s\S]*?)```/g)].at(-1)![1]!);
    expect(payload.rubric.at(-1)).toBe('宛名が正しいか');
    expect(payload.rubric).toHaveLength(7);
    expect(calls[0]!.config.model).toBe('qwen');
    // the judge keeps its own temperature unless told otherwise
    expect(calls[0]!.req.params?.temperature).toBe(0);
    expect(calls[0]!.req.schemaName).toBe('tane_judge');
  });

  it('fails the record with the LLM error code and message', async () => {
    const { factory } = fakeClients(() => {
      throw new TaneError(
        'LLM_INVALID_OUTPUT',
        '/score: must be integer; reply: "{\\"score\\": \\"five\\"}"',
      );
    });
    const out = await (await testPlugin(pluginWith(factory))).run([candidate('x')]);
    expect(out.failed).toEqual([
      {
        record: expect.objectContaining({ id: 'x' }),
        code: 'LLM_INVALID_OUTPUT',
        message: expect.stringContaining('/score: must be integer'),
      },
    ]);
  });

  it('fails a record without an example with INPUT_INVALID', async () => {
    const { factory, calls } = fakeClients(() => reply(4, 'accept'));
    const out = await (await testPlugin(pluginWith(factory))).run([
      makeRecord({ id: 'q', data: { text: 'x' }, meta: { category } }),
    ]);
    expect(out.failed.map((f) => f.code)).toEqual(['INPUT_INVALID']);
    expect(calls).toHaveLength(0);
  });
});

// The harness tests above reach every route: what they saw must match the definition.
afterAll(() => expect(checkPluginDefinition(judge, { behaviour: true })).toEqual([]));
