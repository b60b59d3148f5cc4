import { memoryLogger } from '@tane/core';
import { type LlmSim, startLlmSim } from '@tane/llm-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLlmClients, getLlmClient } from '../src/index.ts';
import { caught } from './caught.ts';
import { JUDGE_SCHEMA, type Judgement, judgeMessages, judgeRequest } from './judge-request.ts';

let sim: LlmSim | undefined;
afterEach(async () => {
  await closeAllLlmClients();
  await sim?.close();
  sim = undefined;
});

describe('chatJson', () => {
  it('returns the validated object', async () => {
    sim = await startLlmSim();
    const llm = getLlmClient({ baseURL: sim.url, cachePath: false });
    const r = await llm.chatJson<Judgement>(judgeRequest(3));
    expect(r.json.verdict).toBe('accept');
    expect(Object.keys(r.json.criteria)).toEqual(['accuracy', 'fluency']);
    expect(JSON.parse(r.content)).toEqual(r.json);
  });

  it('re-asks after malformed JSON and keeps going until a reply is valid', async () => {
    sim = await startLlmSim({ seed: 4, faults: { rateMalformedJson: 0.4 } });
    const llm = getLlmClient({ baseURL: sim.url, cachePath: false });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        llm.chatJson<Judgement>(judgeRequest(i, { maxInvalidRetries: 4 })),
      ),
    );
    expect(results.every((r) => ['accept', 'repair', 'reject'].includes(r.json.verdict))).toBe(true);
    const malformed = sim.stats().faultsInjected.malformedJson;
    expect(malformed).toBeGreaterThan(0);
    expect(llm.usage().totals).toMatchObject({
      invalidOutputs: malformed,
      calls: 30,
      requests: 30 + malformed,
    });
  });

  it('fails with LLM_INVALID_OUTPUT, the reason and an excerpt when every reply is malformed', async () => {
    sim = await startLlmSim({ faults: { rateMalformedJson: 1 } });
    const llm = getLlmClient({ baseURL: sim.url, cachePath: false });
    const err = await caught(llm.chatJson(judgeRequest(1)));
    expect(err.code).toBe('LLM_INVALID_OUTPUT');
    expect(err.message).toMatch(/not a valid judgement after 3 tries: the reply is not valid JSON/);
    expect(err.message).toMatch(/Reply excerpt: "\{/);
    expect(sim.stats().chatCompletions).toBe(3);
    expect(llm.usage().totals).toMatchObject({ invalidOutputs: 3, failures: 1, calls: 0 });
  });

  it('re-asks with the schema error when the reply does not match the schema', async () => {
    sim = await startLlmSim();
    const llm = getLlmClient({ baseURL: sim.url, cachePath: false });
    const schema = { ...JUDGE_SCHEMA, required: [...JUDGE_SCHEMA.required, 'confidence'] };
    const err = await caught(llm.chatJson(judgeRequest(1, { schema, maxInvalidRetries: 1 })));
    expect(err).toMatchObject({ code: 'LLM_INVALID_OUTPUT' });
    expect(err.message).toContain("must have required property 'confidence'");
    expect(sim.stats().chatCompletions).toBe(2);
  });

  it('steps down from json_schema to json_object to none once per client when the server refuses them', async () => {
    sim = await startLlmSim({ responseFormats: [] });
    const logger = memoryLogger();
    const llm = getLlmClient({ baseURL: sim.url, cachePath: false, logger });
    await llm.chatJson<Judgement>(judgeRequest(1));
    expect(sim.stats().byStatus).toEqual({ 200: 1, 400: 2 });
    await Promise.all([2, 3, 4].map((i) => llm.chatJson<Judgement>(judgeRequest(i))));
    expect(sim.stats().byStatus).toEqual({ 200: 4, 400: 2 });
    const fallbacks = logger.entries.filter((e) => e.msg.includes('falling back'));
    expect(fallbacks.map((e) => [e.fields.from, e.fields.to])).toEqual([
      ['json_schema', 'json_object'],
      ['json_object', 'none'],
    ]);
    expect(llm.usage().totals).toMatchObject({ retries: 0, failures: 0, calls: 4 });
  });

  it('reads replies wrapped in ```json fences', async () => {
    sim = await startLlmSim();
    const llm = getLlmClient({ baseURL: sim.url, cachePath: false, structuredOutput: 'none' });
    const raw = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        llm.chat({ plugin: 'p@1', messages: judgeMessages(i) }).then((r) => r.content),
      ),
    );
    expect(raw.filter((c) => c.startsWith('```json')).length).toBeGreaterThan(0);
    const parsed = await Promise.all(
      Array.from({ length: 20 }, (_, i) => llm.chatJson<Judgement>(judgeRequest(i))),
    );
    expect(parsed.map((r) => r.content)).toEqual(raw);
    expect(parsed.every((r) => typeof r.json.score === 'number')).toBe(true);
  });
});
