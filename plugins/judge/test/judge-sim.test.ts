import { memoryLogger, type TaneRecord } from '@tane/core';
import { closeAllLlmClients } from '@tane/llm';
import { type LlmSim, startLlmSim } from '@tane/llm-sim';
import { userVisibleTexts } from '@tane/prompt-kit/testing';
import { type HarnessResult, testPlugin } from '@tane/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import judge, { type JudgeMeta } from '../src/index.ts';
import { candidate, FIXABLE, GOOD, UNUSABLE } from './candidates-fixture.ts';

const API_KEY = 'sk-test-SECRET-9876543210';

describe('judge against the LLM simulator, through the real client', () => {
  let sim: LlmSim;
  let faultySim: LlmSim;
  const previousKey = process.env.OPENAI_API_KEY;
  const logger = memoryLogger();
  const results: HarnessResult[] = [];

  const run = async (baseURL: string, records: TaneRecord[]) => {
    const h = await testPlugin(judge, {
      stage: 'judge',
      logger,
      config: { llm: { baseURL, cachePath: false, maxRetries: 1 } },
    });
    const out = await h.run(records);
    results.push(out);
    return out;
  };

  beforeAll(async () => {
    process.env.OPENAI_API_KEY = API_KEY;
    sim = await startLlmSim({ seed: 5, requireApiKey: API_KEY });
    faultySim = await startLlmSim({ seed: 5, requireApiKey: API_KEY, faults: { rateMalformedJson: 1 } });
  });

  afterAll(async () => {
    await closeAllLlmClients();
    await Promise.all([sim?.close(), faultySim?.close()]);
    if (previousKey === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = previousKey;
  });

  it('accepts good examples, sends planted low-quality ones to repair and rejects a refusal', async () => {
    const records = [
      ...GOOD.map((d, i) => candidate(`good-${i}`, d)),
      ...FIXABLE.map((d, i) => candidate(`fixable-${i}`, d)),
      ...UNUSABLE.map((d, i) => candidate(`unusable-${i}`, d)),
    ];
    const out = await run(sim.url, records);
    expect(out.failed).toEqual([]);
    expect(out.byRoute.accept?.map((r) => r.id)).toEqual(['good-0', 'good-1']);
    expect(out.byRoute.repair?.map((r) => r.id)).toEqual(['fixable-0', 'fixable-1', 'fixable-2']);
    expect(out.byRoute.reject?.map((r) => r.id)).toEqual(['unusable-0']);

    for (const r of out.emissions.map((e) => e.record)) {
      const j = r.meta.judge as JudgeMeta;
      expect(j.round).toBe(1);
      expect(j.judge).toMatch(/^@tane\/plugin-judge@/);
      expect(j.template).toEqual({ id: 'tane-judge-ja', version: '1' });
      expect(j.reasons.length).toBeGreaterThan(0);
      // the category's extra criterion reached the model and came back scored
      expect(Object.keys(j.criteria)).toContain('決定事項と未決事項が区別されているか');
    }
    const repaired = out.byRoute.repair!.map((r) => r.meta.judge as JudgeMeta);
    expect(repaired.every((j) => j.score >= 2 && j.score < 4)).toBe(true);
    expect((out.byRoute.repair![1]!.meta.judge as JudgeMeta).reasons.join()).toContain('30字以内');
    const rejected = out.byRoute.reject![0]!;
    expect(rejected.meta.outcome).toEqual({
      status: 'rejected',
      reason: 'judge',
      detail: (rejected.meta.judge as JudgeMeta).reasons,
      stage: 'judge',
    });
    expect(sim.stats().byTask.judge).toBe(records.length);
  });

  it('fails the record with LLM_INVALID_OUTPUT and the reason when every reply is malformed JSON', async () => {
    const before = faultySim.stats().chatCompletions;
    const out = await run(faultySim.url, [candidate('good-0', GOOD[0]!)]);
    expect(out.emissions).toEqual([]);
    expect(out.failed).toHaveLength(1);
    expect(out.failed[0]!.record.id).toBe('good-0');
    expect(out.failed[0]!.code).toBe('LLM_INVALID_OUTPUT');
    expect(out.failed[0]!.message).toMatch(/not a valid tane_judge/);
    expect(out.failed[0]!.message).toMatch(/Reply excerpt/);
    // the first ask and two re-asks
    expect(faultySim.stats().chatCompletions - before).toBe(3);
  });

  it('never puts the API key in a record, a failure message or a log entry', () => {
    expect(results).toHaveLength(2);
    for (const text of userVisibleTexts(results, logger.entries)) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain('9876543210');
    }
    // the client logged the invalid replies to the stage's logger
    expect(logger.entries.some((e) => e.level === 'warn')).toBe(true);
  });
});
