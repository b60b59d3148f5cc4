import { getEventListeners } from 'node:events';
import { memoryLogger } from '@tane/core';
import { type LlmSim, startLlmSim } from '@tane/llm-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLlmClients, getLlmClient, type LlmEvent } from '../src/index.ts';
import { caught } from './caught.ts';

let sim: LlmSim | undefined;
afterEach(async () => {
  await closeAllLlmClients();
  await sim?.close();
  sim = undefined;
});

const fast = { cachePath: false as const, retryBaseDelayMs: 5, retryMaxDelayMs: 40 };

describe('retries', () => {
  it('retries 429s, 500s, cut-off replies and timeouts until every request has its answer', async () => {
    sim = await startLlmSim({
      seed: 11,
      latency: { fixedMs: 5 },
      faults: { rate429: 0.15, retryAfterS: 0.05, rate500: 0.15, rateTimeout: 0.04, rateTruncated: 0.05 },
    });
    const llm = getLlmClient({ baseURL: sim.url, ...fast, timeoutMs: 400, maxRetries: 8, maxConcurrency: 8 });
    const events: LlmEvent[] = [];
    llm.onEvent((e) => events.push(e));
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        llm.chat({
          plugin: 'gen@1.0.0',
          category: i % 2 ? 'odd' : 'even',
          messages: [{ role: 'user', content: `request ${i}` }],
        }),
      ),
    );
    for (const [i, r] of results.entries()) expect(r.content).toContain(`"request ${i}"`);
    const stats = sim.stats();
    expect(stats.faultsInjected.rate429).toBeGreaterThan(0);
    expect(stats.faultsInjected.rate500).toBeGreaterThan(0);
    expect(stats.faultsInjected.timeout).toBeGreaterThan(0);
    expect(stats.faultsInjected.truncated).toBeGreaterThan(0);
    const usage = llm.usage();
    expect(usage.totals).toMatchObject({ calls: 100, failures: 0, throttled: stats.faultsInjected.rate429 });
    expect(usage.totals.requests).toBe(stats.chatCompletions);
    expect(usage.totals.retries).toBe(stats.chatCompletions - 100);
    expect(usage.byCategory.odd!.calls).toBe(50);
    expect(usage.byPlugin['gen@1.0.0']!.calls).toBe(100);
    const throttled = events.filter((e) => e.type === 'throttled');
    expect(throttled).toHaveLength(stats.faultsInjected.rate429);
    expect(throttled[0]).toMatchObject({ status: 429, retryAfterMs: 50, plugin: 'gen@1.0.0' });
    expect(events.filter((e) => e.type === 'retry').length).toBe(usage.totals.retries);
    expect(results.reduce((n, r) => n + r.attempts, 0)).toBe(stats.chatCompletions);
  });

  it('gives up with LLM_RETRIES_EXHAUSTED after maxRetries + 1 attempts when every attempt fails', async () => {
    sim = await startLlmSim({ faults: { rate500: 1 } });
    const llm = getLlmClient({ baseURL: sim.url, ...fast, maxRetries: 3 });
    const err = await caught(llm.chat({ plugin: 'gen@1.0.0', messages: [{ role: 'user', content: 'x' }] }));
    expect(err).toMatchObject({ code: 'LLM_RETRIES_EXHAUSTED', where: expect.stringContaining(sim.url) });
    expect((err as Error).message).toMatch(/after 4 attempts; last error: HTTP 500/);
    expect(sim.stats().chatCompletions).toBe(4);
    expect(llm.usage().totals).toMatchObject({ requests: 4, retries: 3, failures: 1, calls: 0 });
  });

  it('logs each call with the logger of the stage that made it, though all stages share one client', async () => {
    sim = await startLlmSim({ faults: { rate500: 1 } });
    const root = memoryLogger();
    const llm = getLlmClient({
      baseURL: sim.url,
      ...fast,
      maxRetries: 1,
      logger: root.child({ stage: 'generator' }),
    });
    for (const stage of ['judge', 'repairer']) {
      await caught(
        llm.chat({
          plugin: `${stage}@1.0.0`,
          logger: root.child({ stage }),
          messages: [{ role: 'user', content: stage }],
        }),
      );
    }
    const retries = root.entries.filter((e) => e.msg === 'llm request failed; retrying');
    expect(retries.map((e) => e.fields.stage)).toEqual(['judge', 'repairer']);
  });

  it('names the timeout when the server never answers', async () => {
    sim = await startLlmSim({ faults: { rateTimeout: 1 } });
    const llm = getLlmClient({ baseURL: sim.url, ...fast, maxRetries: 1, timeoutMs: 150 });
    await expect(
      llm.chat({ plugin: 'gen@1.0.0', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      code: 'LLM_RETRIES_EXHAUSTED',
      message: expect.stringContaining('timed out after 150 ms'),
    });
    expect(sim.stats().faultsInjected.timeout).toBe(2);
  });

  it('leaves no listener behind on the caller signal, and piles none up over many attempts', async () => {
    sim = await startLlmSim({ seed: 3, faults: { rate429: 0.5, retryAfterS: 0.001, rate500: 0.2 } });
    const llm = getLlmClient({ baseURL: sim.url, ...fast, maxRetries: 30, maxConcurrency: 4 });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      // A signal per record, as the engine passes to a stage's calls.
      const records = Array.from({ length: 40 }, () => new AbortController());
      const results = await Promise.all(
        records.map((r, i) =>
          llm.chat({ plugin: 'gen@1.0.0', signal: r.signal, messages: [{ role: 'user', content: `r${i}` }] }),
        ),
      );
      expect(results.reduce((n, r) => n + r.attempts, 0)).toBeGreaterThan(60);
      for (const r of records) expect(getEventListeners(r.signal, 'abort')).toHaveLength(0);

      // One call with 13 attempts: the SDK's listener of each attempt must not land on one signal.
      const failing = await startLlmSim({ faults: { rate500: 1 } });
      try {
        const stubborn = getLlmClient({ baseURL: failing.url, ...fast, maxRetries: 12 });
        await expect(
          stubborn.chat({ plugin: 'gen@1.0.0', messages: [{ role: 'user', content: 'x' }] }),
        ).rejects.toMatchObject({ code: 'LLM_RETRIES_EXHAUSTED' });
        expect(failing.stats().chatCompletions).toBe(13);
      } finally {
        await closeAllLlmClients();
        await failing.close();
      }

      // Aborting the caller's signal still stops a call in flight.
      const record = new AbortController();
      const late = getLlmClient({ baseURL: sim.url, ...fast }).chat({
        plugin: 'gen@1.0.0',
        signal: record.signal,
        messages: [{ role: 'user', content: 'late' }],
      });
      record.abort(new Error('stopping'));
      await expect(late).rejects.toMatchObject({ code: 'LLM_ABORTED' });
      await new Promise((r) => setTimeout(r, 20));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
