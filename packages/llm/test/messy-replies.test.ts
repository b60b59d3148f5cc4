import { type LlmSim, READABLE_SHAPES, startLlmSim } from '@tane/llm-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLlmClients, getLlmClient } from '../src/index.ts';
import { caught } from './caught.ts';
import { type Judgement, judgeMessages, judgeRequest } from './judge-request.ts';

let sim: LlmSim | undefined;
afterEach(async () => {
  await closeAllLlmClients();
  await sim?.close();
  sim = undefined;
});

const fast = { cachePath: false as const, retryBaseDelayMs: 5, retryMaxDelayMs: 40 };

describe('replies written like real open models', () => {
  it('uses every readable reply (fences, preambles, trailing commas, single quotes, comments) without a re-ask', async () => {
    sim = await startLlmSim({ seed: 5, style: 'messy' });
    const llm = getLlmClient({ baseURL: sim.url, ...fast, maxConcurrency: 8 });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        llm.chatJson<Judgement>({
          ...judgeRequest(i),
          messages: judgeMessages(i, i % 2 ? 'en' : 'ja'),
          maxInvalidRetries: 0,
        }),
      ),
    );
    const used = results.filter((r) => r.status === 'fulfilled').length;
    const shapes = sim.stats().messyShapes;
    const readable = Object.entries(shapes)
      .filter(([shape]) => READABLE_SHAPES.has(shape as never))
      .reduce((n, [, count]) => n + (count ?? 0), 0);
    for (const shape of [
      'trailing-commas',
      'single-quotes',
      'comments',
      'preamble-fenced',
      'empty',
      'cut-off',
    ])
      expect(shapes[shape as keyof typeof shapes], shape).toBeGreaterThan(0);
    expect(readable).toBeGreaterThan(100);
    expect(used / readable).toBeGreaterThanOrEqual(0.95);
    for (const r of results)
      if (r.status === 'fulfilled') expect(r.value.json.verdict).toMatch(/accept|repair|reject/);
  });

  it('asks once more with twice the room when a reply is cut off at max_tokens', async () => {
    sim = await startLlmSim({ seed: 3 });
    const probe = getLlmClient({ baseURL: sim.url, ...fast });
    const full = await probe.chatJson<Judgement>(judgeRequest(1));
    await closeAllLlmClients();
    sim.resetStats();
    const room = Math.ceil(full.usage.completionTokens * 0.6);
    const llm = getLlmClient({ baseURL: sim.url, ...fast });
    const result = await llm.chatJson<Judgement>({ ...judgeRequest(1), params: { max_tokens: room } });
    expect(result.json).toEqual(full.json);
    expect(sim.stats().chatCompletions).toBe(2);
    expect(result.attempts).toBe(2);
  });

  it('fails with a clear error when the reply is cut off again with twice the room', async () => {
    sim = await startLlmSim({ seed: 3 });
    const llm = getLlmClient({ baseURL: sim.url, ...fast });
    const err = await caught(llm.chatJson<Judgement>({ ...judgeRequest(2), params: { max_tokens: 4 } }));
    expect(err).toMatchObject({
      code: 'LLM_INVALID_OUTPUT',
      message: expect.stringContaining('cut off at max_tokens (8) twice'),
      hint: expect.stringContaining('max_tokens'),
      attempts: 2,
    });
    expect(sim.stats().chatCompletions).toBe(2);
  });
});

describe('throttling', () => {
  it('waits out 429s however many there are: they do not count against maxRetries', async () => {
    sim = await startLlmSim({ seed: 7, faults: { rate429: 0.6, retryAfterS: 0.01 } });
    const llm = getLlmClient({ baseURL: sim.url, ...fast, maxRetries: 0, maxConcurrency: 8 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => llm.chatJson<Judgement>(judgeRequest(i))),
    );
    expect(results).toHaveLength(40);
    expect(sim.stats().faultsInjected.rate429).toBeGreaterThan(40);
    expect(llm.usage().totals).toMatchObject({ calls: 40, failures: 0 });
    expect(results.reduce((n, r) => n + r.attempts, 0)).toBe(sim.stats().chatCompletions);
  });

  it('gives up with LLM_THROTTLED once the throttle budget is spent, naming the wait and the fix', async () => {
    sim = await startLlmSim({ faults: { rate429: 1, retryAfterS: 0.02 } });
    const llm = getLlmClient({ baseURL: sim.url, ...fast, maxRetries: 0, throttleBudgetMs: 300 });
    const err = await caught(llm.chatJson<Judgement>(judgeRequest(1)));
    expect(err).toMatchObject({
      code: 'LLM_THROTTLED',
      retryable: true,
      hint: expect.stringContaining('throttleBudgetMs'),
    });
    expect(err.attempts).toBeGreaterThan(3);
    expect(err.attempts).toBe(sim.stats().chatCompletions);
  });
});
