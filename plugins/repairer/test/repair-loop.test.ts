import { memoryLogger, type TaneRecord } from '@tane/core';
import { closeAllLlmClients } from '@tane/llm';
import { type LlmSim, startLlmSim } from '@tane/llm-sim';
import judge from '@tane/plugin-judge';
import { userVisibleTexts } from '@tane/prompt-kit/testing';
import { type HarnessResult, type PluginHarness, testPlugin } from '@tane/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import repairer, { type RepairMeta } from '../src/index.ts';
import { candidate, FIXABLE, KEIGO_CATEGORY } from './candidates-fixture.ts';

const API_KEY = 'sk-test-SECRET-9876543210';
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;

describe('judge → repair → judge over the LLM simulator, through the real client', () => {
  let sim: LlmSim;
  let judgeStage: PluginHarness;
  let repairStage: PluginHarness;
  const previousKey = process.env.OPENAI_API_KEY;
  const logger = memoryLogger();
  const results: HarnessResult[] = [];

  beforeAll(async () => {
    process.env.OPENAI_API_KEY = API_KEY;
    // every planted defect is fixable in this run
    sim = await startLlmSim({ seed: 9, requireApiKey: API_KEY, quality: { unfixableRate: 0 } });
    const llm = { baseURL: sim.url, cachePath: false, maxRetries: 1 };
    judgeStage = await testPlugin(judge, { stage: 'judge', logger, config: { llm } });
    repairStage = await testPlugin(repairer, { stage: 'repairer', logger, config: { llm, maxAttempts: 2 } });
  });

  afterAll(async () => {
    await closeAllLlmClients();
    await sim?.close();
    if (previousKey === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = previousKey;
  });

  /** Runs records through the judge and the repairer until each reaches a terminal route. */
  async function loop(records: TaneRecord[]): Promise<Map<string, { route: string; record: TaneRecord }>> {
    const done = new Map<string, { route: string; record: TaneRecord }>();
    let pending = records;
    for (let pass = 0; pass < 10 && pending.length > 0; pass++) {
      const judged = await judgeStage.run(pending);
      results.push(judged);
      for (const f of judged.failed) done.set(f.record.id, { route: `failed:${f.code}`, record: f.record });
      for (const r of [...(judged.byRoute.accept ?? []), ...(judged.byRoute.reject ?? [])]) {
        done.set(r.id, { route: judged.byRoute.accept?.includes(r) ? 'accept' : 'reject', record: r });
      }
      const repaired = await repairStage.run(judged.byRoute.repair ?? []);
      results.push(repaired);
      for (const r of repaired.byRoute.give_up ?? []) done.set(r.id, { route: 'give_up', record: r });
      for (const f of repaired.failed) done.set(f.record.id, { route: `failed:${f.code}`, record: f.record });
      pending = repaired.byRoute.repaired ?? [];
    }
    return done;
  }

  it('repairs fixable low-quality examples until the judge accepts them', async () => {
    const records = FIXABLE.map((d, i) => candidate(`fixable-${i}`, d));
    const done = await loop(records);
    expect([...done.keys()].sort()).toEqual(records.map((r) => r.id).sort());
    for (const original of records) {
      const { route, record } = done.get(original.id)!;
      expect(route).toBe('accept');
      // the same record: same id and category, new data, one repair, two judge passes
      expect(record.id).toBe(original.id);
      expect(record.category).toBe('keigo-rewrite');
      expect(record.meta.category).toEqual(KEIGO_CATEGORY);
      expect(record.data).not.toEqual(original.data);
      expect((record.data as { output: string }).output).toMatch(KANA);
      expect(record.meta.repairs).toBe(1);
      expect((record.meta.repair as RepairMeta).template).toEqual({ id: 'tane-repair-ja', version: '1' });
      expect(record.meta.judgeHistory).toEqual([expect.objectContaining({ verdict: 'repair', round: 1 })]);
      expect(record.meta.judge).toMatchObject({ verdict: 'accept', round: 2 });
      expect(record.meta.outcome).toBeUndefined();
      expect(record.lineage.map((l) => l.stage)).toEqual(['judge', 'repairer', 'judge']);
    }
    expect(sim.stats().byTask).toMatchObject({ judge: 8, repair: 4 });
  });

  it('ends an unfixable example in `reject` or `give_up`, never in a loop', async () => {
    const hopeless = await startLlmSim({ seed: 9, requireApiKey: API_KEY, quality: { unfixableRate: 1 } });
    try {
      const llm = { baseURL: hopeless.url, cachePath: false, maxRetries: 1 };
      const j = await testPlugin(judge, { stage: 'judge', logger, config: { llm } });
      const r = await testPlugin(repairer, { stage: 'repairer', logger, config: { llm, maxAttempts: 2 } });
      let pending = [candidate('hopeless-0', FIXABLE[0]!)];
      const routes: string[] = [];
      for (let pass = 0; pass < 5 && pending.length > 0; pass++) {
        const judged = await j.run(pending);
        routes.push(...judged.emissions.map((e) => `judge:${e.route}`));
        const repaired = await r.run(judged.byRoute.repair ?? []);
        routes.push(...repaired.emissions.map((e) => `repairer:${e.route}`));
        pending = repaired.byRoute.repaired ?? [];
      }
      // the simulated repairer answers an unfixable example with a refusal, which the judge rejects
      expect(routes).toEqual(['judge:repair', 'repairer:repaired', 'judge:reject']);
    } finally {
      await hopeless.close();
    }
  });

  it('gives up at the bound without calling the model', async () => {
    const worn = candidate('worn-out', FIXABLE[0]!);
    worn.meta.repairs = 2;
    worn.meta.judge = { score: 2, verdict: 'repair', reasons: ['出力が文の途中で途切れている'], round: 3 };
    const before = sim.stats().requestsTotal;
    const out = await repairStage.run([worn]);
    results.push(out);
    expect(sim.stats().requestsTotal).toBe(before);
    expect(out.byRoute.repaired).toBeUndefined();
    expect(out.byRoute.give_up?.map((r) => r.id)).toEqual(['worn-out']);
    expect(out.byRoute.give_up![0]!.meta.outcome).toEqual({
      status: 'rejected',
      reason: 'repair_limit',
      detail: ['出力が文の途中で途切れている'],
      stage: 'repairer',
    });
  });

  it('never puts the API key in a record, a failure message or a log entry', () => {
    expect(results.length).toBeGreaterThanOrEqual(5);
    for (const text of userVisibleTexts(results, logger.entries)) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain('9876543210');
    }
  });
});
