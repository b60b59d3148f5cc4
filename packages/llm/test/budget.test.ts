import type { TaneError } from '@tane/core';
import { type LlmSim, startLlmSim } from '@tane/llm-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLlmClients, getLlmClient } from '../src/index.ts';

let sim: LlmSim | undefined;
afterEach(async () => {
  await closeAllLlmClients();
  await sim?.close();
  sim = undefined;
});

describe('token budget', () => {
  it('starts no new call once the budget is spent, and says how to raise it', async () => {
    sim = await startLlmSim();
    const llm = getLlmClient({ baseURL: sim.url, cachePath: false, tokenBudget: 300 });
    const ask = (i: number) =>
      llm.chat({
        plugin: 'gen@1',
        category: 'c',
        messages: [{ role: 'user', content: `question ${i} `.repeat(20) }],
      });
    let err: TaneError | undefined;
    let done = 0;
    for (let i = 0; i < 50 && !err; i++) {
      await ask(i).then(
        () => done++,
        (e: TaneError) => {
          err = e;
        },
      );
    }
    expect(done).toBeGreaterThan(0);
    expect(err).toMatchObject({ code: 'LLM_BUDGET_EXHAUSTED', hint: expect.stringContaining('tokenBudget') });
    const used = llm.usage().totals.totalTokens;
    expect(used).toBeGreaterThanOrEqual(300);
    expect(err!.message).toContain(`token budget of 300 tokens for ${sim.url} is spent: ${used} tokens used`);
    const seen = sim.stats().chatCompletions;
    expect(seen).toBe(done);
    await expect(ask(999)).rejects.toMatchObject({ code: 'LLM_BUDGET_EXHAUSTED' });
    expect(sim.stats().chatCompletions).toBe(seen);
    expect(llm.usage()).toMatchObject({ tokenBudget: 300, budgetRemaining: 0 });
  });

  it('stops calls that were still waiting for a slot when the budget ran out', async () => {
    sim = await startLlmSim({ latency: { fixedMs: 5 } });
    const llm = getLlmClient({ baseURL: sim.url, cachePath: false, tokenBudget: 200, maxConcurrency: 1 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        llm.chat({ plugin: 'gen@1', messages: [{ role: 'user', content: `question ${i} `.repeat(20) }] }),
      ),
    );
    const sent = outcomes.filter((o) => o.status === 'fulfilled').length;
    const stopped = outcomes.filter(
      (o) => o.status === 'rejected' && (o.reason as TaneError).code === 'LLM_BUDGET_EXHAUSTED',
    );
    expect(sent).toBeGreaterThan(0);
    expect(sent + stopped.length).toBe(20);
    expect(sim.stats().chatCompletions).toBe(sent);
    expect(sent).toBeLessThan(10);
  });
});
