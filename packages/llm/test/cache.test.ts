import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type LlmSim, startLlmSim } from '@tane/llm-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearLlmCache, closeAllLlmClients, getLlmClient } from '../src/index.ts';
import { type Judgement, judgeRequest } from './judge-request.ts';

const run = promisify(execFile);
let sim: LlmSim | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tane-llm-cache-'));
});
afterEach(async () => {
  await closeAllLlmClients();
  await sim?.close();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('response cache', () => {
  it('serves a fresh client on the same cache file without sending any request', async () => {
    sim = await startLlmSim({ latency: { fixedMs: 2 } });
    const cachePath = join(dir, 'cache.db');
    const first = getLlmClient({ baseURL: sim.url, cachePath });
    const before = await Promise.all(
      Array.from({ length: 20 }, (_, i) => first.chatJson<Judgement>(judgeRequest(i))),
    );
    const plain = await first.chat({ plugin: 'p@1', messages: [{ role: 'user', content: 'plain call' }] });
    expect(sim.stats().chatCompletions).toBe(21);
    expect(before.every((r) => !r.cached)).toBe(true);

    await closeAllLlmClients();
    sim.resetStats();
    const second = getLlmClient({ baseURL: sim.url, cachePath });
    expect(second).not.toBe(first);
    const after = await Promise.all(
      Array.from({ length: 20 }, (_, i) => second.chatJson<Judgement>(judgeRequest(i))),
    );
    const plainAgain = await second.chat({
      plugin: 'p@1',
      messages: [{ role: 'user', content: 'plain call' }],
    });
    expect(sim.stats().requestsTotal).toBe(0);
    expect(after.map((r) => r.content)).toEqual(before.map((r) => r.content));
    expect(after.map((r) => r.json)).toEqual(before.map((r) => r.json));
    expect(after.every((r) => r.cached && r.attempts === 0)).toBe(true);
    expect(plainAgain).toMatchObject({ content: plain.content, cached: true });
    expect(second.usage().totals).toMatchObject({ cacheHits: 21, requests: 0, totalTokens: 0 });
  });

  it('serves a restarted process from the cache', async () => {
    sim = await startLlmSim();
    const cachePath = join(dir, 'cache.db');
    const llm = getLlmClient({ baseURL: sim.url, cachePath });
    const before = await Promise.all(
      Array.from({ length: 20 }, (_, i) => llm.chatJson<Judgement>(judgeRequest(i))),
    );
    sim.resetStats();
    const script = resolve(import.meta.dirname, 'fixtures/replay-calls.ts');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, sim.url, cachePath], {
      cwd: resolve(import.meta.dirname, '../../..'),
    });
    const replayed = JSON.parse(stdout) as Array<{ content: string; cached: boolean }>;
    expect(replayed.map((r) => r.content)).toEqual(before.map((r) => r.content));
    expect(replayed.every((r) => r.cached)).toBe(true);
    expect(sim.stats().requestsTotal).toBe(0);
  });

  it('does not cache replies that failed validation', async () => {
    sim = await startLlmSim({ faults: { rateMalformedJson: 1 } });
    const cachePath = join(dir, 'cache.db');
    const llm = getLlmClient({ baseURL: sim.url, cachePath });
    await expect(llm.chatJson(judgeRequest(1, { maxInvalidRetries: 0 }))).rejects.toMatchObject({
      code: 'LLM_INVALID_OUTPUT',
    });
    await expect(llm.chatJson(judgeRequest(1, { maxInvalidRetries: 0 }))).rejects.toMatchObject({
      code: 'LLM_INVALID_OUTPUT',
    });
    expect(sim.stats().chatCompletions).toBe(2);
  });

  it('treats different parameters as different calls, and can be cleared', async () => {
    sim = await startLlmSim();
    const cachePath = join(dir, 'cache.db');
    const llm = getLlmClient({ baseURL: sim.url, cachePath });
    const base = { plugin: 'p@1', messages: [{ role: 'user' as const, content: 'same words' }] };
    await llm.chat(base);
    await llm.chat({ ...base, params: { temperature: 0.2 } });
    await llm.chat({ ...base, params: { temperature: 0.2 } });
    expect(sim.stats().chatCompletions).toBe(2);
    expect(() => clearLlmCache(cachePath)).toThrow(/in use/);
    await closeAllLlmClients();
    clearLlmCache(cachePath);
    await getLlmClient({ baseURL: sim.url, cachePath }).chat(base);
    expect(sim.stats().chatCompletions).toBe(3);
  });
});
