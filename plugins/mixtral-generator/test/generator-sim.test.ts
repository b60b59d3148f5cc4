import { memoryLogger, stableHash32, type TaneRecord } from '@tane/core';
import { closeAllLlmClients } from '@tane/llm';
import { type LlmSim, startLlmSim } from '@tane/llm-sim';
import { userVisibleTexts } from '@tane/prompt-kit/testing';
import { type HarnessResult, makeRecord, testPlugin } from '@tane/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import generator, { type GenerationMeta } from '../src/index.ts';
import { EMAIL_REPLY_CATEGORY, EMAIL_REPLY_FEW_SHOT } from './few-shot-fixture.ts';

const API_KEY = 'sk-test-SECRET-9876543210';
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;

const task = (id: string, k = 8): TaneRecord =>
  makeRecord({
    id,
    type: 'task',
    category: 'email-reply',
    data: { runId: 'run-1', index: 0, k, fewShot: EMAIL_REPLY_FEW_SHOT },
    meta: { category: EMAIL_REPLY_CATEGORY },
  });

describe('generator against the LLM simulator, through the real client', () => {
  let sim: LlmSim;
  let faultySim: LlmSim;
  let wrongKeySim: LlmSim;
  const previousKey = process.env.OPENAI_API_KEY;
  const logger = memoryLogger();
  const results: HarnessResult[] = [];

  const harness = async (baseURL: string, config: Record<string, unknown> = {}) =>
    testPlugin(generator, {
      stage: 'generator',
      logger,
      config: { llm: { baseURL, cachePath: false, maxRetries: 1 }, ...config },
    });
  const run = async (baseURL: string, records: TaneRecord[], config: Record<string, unknown> = {}) => {
    const out = await (await harness(baseURL, config)).run(records);
    results.push(out);
    return out;
  };

  beforeAll(async () => {
    process.env.OPENAI_API_KEY = API_KEY;
    sim = await startLlmSim({ seed: 11, requireApiKey: API_KEY });
    faultySim = await startLlmSim({ seed: 11, requireApiKey: API_KEY, faults: { rateMalformedJson: 1 } });
    wrongKeySim = await startLlmSim({ seed: 11, requireApiKey: 'sk-other-key-0000000000' });
  });

  afterAll(async () => {
    await closeAllLlmClients();
    await Promise.all([sim?.close(), faultySim?.close(), wrongKeySim?.close()]);
    if (previousKey === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = previousKey;
  });

  it('turns a ja task with 8 few-shot examples into k Japanese candidates', async () => {
    const out = await run(sim.url, [task('task-ja-1')]);
    expect(out.failed).toEqual([]);
    const all = out.emissions.map((e) => e.record);
    expect(all).toHaveLength(8);
    expect(new Set(all.map((r) => r.id)).size).toBe(8);
    const candidates = out.byRoute.candidate ?? [];
    expect(candidates.length).toBeGreaterThan(0);
    for (const r of candidates) {
      const data = r.data as { instruction: string; output: string };
      expect(data.instruction).toMatch(KANA);
      expect(data.output).toMatch(JAPANESE);
      expect(r.type).toBe('candidate');
      expect(r.meta.category).toEqual(EMAIL_REPLY_CATEGORY);
      expect(r.meta.generation).toEqual({
        model: 'mistralai/Mixtral-8x22B-Instruct-v0.1',
        params: {
          temperature: 0.9,
          top_p: 0.95,
          max_tokens: 4096,
          seed: stableHash32('task-ja-1') & 0x7fffffff,
        },
        template: { id: 'tane-generate-ja', version: '1' },
        fewShotIds: EMAIL_REPLY_FEW_SHOT.map((e) => e.id),
        taskId: 'task-ja-1',
        round: 1,
      } satisfies GenerationMeta);
      expect(r.lineage.at(-1)?.stage).toBe('generator');
    }
    // whatever a filter took out is accounted for on `filtered`, with the filter named
    for (const r of out.byRoute.filtered ?? []) {
      expect(r.meta.outcome).toMatchObject({ status: 'rejected', reason: 'filter', stage: 'generator' });
    }
    expect(sim.stats().byTask.generate).toBe(1);
  });

  it('produces the same ids and data when the same task runs again', async () => {
    const first = await run(sim.url, [task('task-ja-2')]);
    const second = await run(sim.url, [task('task-ja-2')]);
    const view = (o: HarnessResult) =>
      o.emissions.map((e) => ({ route: e.route, id: e.record.id, data: e.record.data }));
    expect(view(second)).toEqual(view(first));
    expect(view(first)).toHaveLength(8);
  });

  it('gives two tasks with the same few-shot examples different candidates', async () => {
    const a = await run(sim.url, [task('task-ja-6')]);
    const b = await run(sim.url, [task('task-ja-7')]);
    const instructions = (o: HarnessResult) =>
      o.emissions.map((e) => (e.record.data as { instruction: string }).instruction);
    expect(instructions(a).filter((i) => instructions(b).includes(i))).toEqual([]);
  });

  it('asks for data.k examples', async () => {
    const out = await run(sim.url, [task('task-ja-3', 3)]);
    expect(out.emissions).toHaveLength(3);
  });

  it('keeps the complete examples of malformed replies through the fallback request', async () => {
    const before = faultySim.stats().chatCompletions;
    const out = await run(faultySim.url, [task('task-ja-4')]);
    // three schema-checked asks, then one plain request whose cut-off JSON still holds whole examples
    expect(faultySim.stats().chatCompletions - before).toBe(4);
    expect(out.failed).toEqual([]);
    expect(out.emissions.length).toBeGreaterThan(0);
    expect(out.emissions.length).toBeLessThan(8);
    expect(
      logger.entries.some((e) => e.msg.includes('fallback parser') && e.fields.format === 'json-truncated'),
    ).toBe(true);
  });

  it('fails the task with an LLM error code when the server refuses the key, without showing the key', async () => {
    const out = await run(wrongKeySim.url, [task('task-ja-5')]);
    expect(out.emissions).toEqual([]);
    expect(out.failed).toHaveLength(1);
    expect(out.failed[0]!.code).toMatch(/^LLM_/);
    expect(out.failed[0]!.message).toContain('401');
    expect(wrongKeySim.stats().unauthorized).toBeGreaterThan(0);
  });

  it('never puts the API key in a record, a failure message or a log entry', () => {
    expect(results.length).toBeGreaterThanOrEqual(5);
    for (const text of userVisibleTexts(results, logger.entries)) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain('9876543210');
    }
    // the logs were checked, not an empty list
    expect(JSON.stringify(logger.entries).length).toBeGreaterThan(2);
  });
});
