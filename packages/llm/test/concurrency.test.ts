import { type LlmSim, startLlmSim } from '@tane/llm-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLlmClients, getLlmClient } from '../src/index.ts';

let sim: LlmSim | undefined;
afterEach(async () => {
  await closeAllLlmClients();
  await sim?.close();
  sim = undefined;
});

const ask = (plugin: string, content: string, signal?: AbortSignal) => ({
  plugin,
  messages: [{ role: 'user' as const, content }],
  ...(signal ? { signal } : {}),
});

describe('endpoint concurrency', () => {
  it('keeps at most maxConcurrency requests in flight for all plugins of the process together', async () => {
    sim = await startLlmSim({ latency: { fixedMs: 20 } });
    const generator = getLlmClient({ baseURL: sim.url, maxConcurrency: 8, cachePath: false });
    const judge = getLlmClient({ baseURL: sim.url, maxConcurrency: 99 });
    expect(judge).toBe(generator);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 ? generator : judge).chat(ask(i % 2 ? 'gen@1' : 'judge@1', `r${i}`)),
      ),
    );
    const stats = sim.stats();
    expect(stats.chatCompletions).toBe(100);
    expect(stats.maxConcurrent).toBeLessThanOrEqual(8);
    expect(stats.maxConcurrent).toBeGreaterThanOrEqual(2);
    expect(generator.usage().byPlugin['judge@1']!.calls).toBe(50);
  });

  it('drops an aborted waiter before it reaches the server', async () => {
    sim = await startLlmSim({ latency: { fixedMs: 150 } });
    const llm = getLlmClient({ baseURL: sim.url, maxConcurrency: 1, cachePath: false });
    const first = llm.chat(ask('gen@1', 'first'));
    const controller = new AbortController();
    const second = llm.chat(ask('gen@1', 'second', controller.signal));
    const third = llm.chat(ask('gen@1', 'third'));
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'LLM_ABORTED' });
    await first;
    await third;
    expect(sim.stats().chatCompletions).toBe(2);
  });

  it('aborts a request in flight and frees its slot', async () => {
    sim = await startLlmSim({ faults: { rateTimeout: 1 } });
    const llm = getLlmClient({ baseURL: sim.url, maxConcurrency: 1, cachePath: false });
    const controller = new AbortController();
    const hanging = llm.chat(ask('gen@1', 'hang', controller.signal));
    await expect.poll(() => sim!.stats().inFlight).toBe(1);
    controller.abort(new Error('stage timeout'));
    await expect(hanging).rejects.toMatchObject({
      code: 'LLM_ABORTED',
      message: expect.stringContaining('stage timeout'),
    });
    await expect.poll(() => sim!.stats().inFlight).toBe(0);
    expect(llm.usage().concurrency.inFlight).toBe(0);
  });

  it('closeAllLlmClients ends waiting and running calls with LLM_ABORTED', async () => {
    sim = await startLlmSim({ faults: { rateTimeout: 1 } });
    const llm = getLlmClient({ baseURL: sim.url, maxConcurrency: 1, cachePath: false });
    const running = llm.chat(ask('gen@1', 'a'));
    const waiting = llm.chat(ask('gen@1', 'b'));
    await expect.poll(() => sim!.stats().inFlight).toBe(1);
    await closeAllLlmClients();
    await expect(running).rejects.toMatchObject({ code: 'LLM_ABORTED' });
    await expect(waiting).rejects.toMatchObject({ code: 'LLM_ABORTED' });
    expect(getLlmClient({ baseURL: sim.url, cachePath: false })).not.toBe(llm);
  });
});
