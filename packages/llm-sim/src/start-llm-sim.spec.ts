import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { LlmSim, LlmSimOptions } from './llm-sim-options.ts';
import { SAMPLE_SEEDS } from './sample-seeds.ts';
import { startLlmSim } from './start-llm-sim.ts';

const sims: LlmSim[] = [];
async function sim(options: LlmSimOptions = {}): Promise<LlmSim> {
  const s = await startLlmSim(options);
  sims.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

function client(s: LlmSim, extra: { apiKey?: string; timeout?: number } = {}): OpenAI {
  return new OpenAI({
    baseURL: s.url,
    apiKey: extra.apiKey ?? 'sk-no-key',
    maxRetries: 0,
    timeout: extra.timeout ?? 10_000,
  });
}

function generateMessages(lang: 'ja' | 'en', k = 3): OpenAI.ChatCompletionMessageParam[] {
  const payload = {
    category: { id: 'business', name: 'business', description: 'business tasks' },
    examples: SAMPLE_SEEDS[lang].slice(0, 4),
  };
  return [
    {
      role: 'system',
      content: `You write training examples.\ntane-task: generate\ntane-lang: ${lang}\ntane-category: business\ntane-k: ${k}`,
    },
    { role: 'user', content: `Write new examples.\n\`\`\`json\n${JSON.stringify(payload)}\n\`\`\`` },
  ];
}

async function ask(
  c: OpenAI,
  messages: OpenAI.ChatCompletionMessageParam[],
  extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {},
) {
  const r = await c.chat.completions.create({ model: 'm', messages, ...extra });
  return r.choices[0]!.message.content ?? '';
}

const JSON_FORMAT = { response_format: { type: 'json_object' as const } };

describe('startLlmSim', () => {
  it('answers the same request with the same reply, and a different seed differently', async () => {
    const a = await sim({ seed: 5 });
    const b = await sim({ seed: 5 });
    const c = await sim({ seed: 6 });
    const msgs = generateMessages('en');
    const first = await ask(client(a), msgs, JSON_FORMAT);
    expect(await ask(client(a), msgs, JSON_FORMAT)).toBe(first);
    expect(await ask(client(b), msgs, JSON_FORMAT)).toBe(first);
    expect(await ask(client(c), msgs, JSON_FORMAT)).not.toBe(first);
    expect(await ask(client(a), msgs, { ...JSON_FORMAT, seed: 99 })).not.toBe(first);
  });

  it('writes k Japanese examples for tane-lang: ja in the contract format', async () => {
    const s = await sim();
    const reply = JSON.parse(await ask(client(s), generateMessages('ja', 4), JSON_FORMAT)) as {
      examples: Array<{ instruction: string; input: string; output: string }>;
    };
    expect(reply.examples).toHaveLength(4);
    for (const e of reply.examples) {
      expect(Object.keys(e).sort()).toEqual(['input', 'instruction', 'output']);
      expect(e.instruction).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
    expect(s.stats().byTask.generate).toBe(1);
  });

  it('judges and repairs through the markers, in the requested language', async () => {
    const s = await sim();
    const example = { ...SAMPLE_SEEDS.ja[2]!, output: '' };
    const judge = JSON.parse(
      await ask(
        client(s),
        [
          { role: 'system', content: 'tane-task: judge\ntane-lang: ja\ntane-category: keigo' },
          {
            role: 'user',
            content: `Judge.\n\`\`\`json\n${JSON.stringify({ example, rubric: ['正確さ', '敬語'] })}\n\`\`\``,
          },
        ],
        JSON_FORMAT,
      ),
    ) as { score: number; verdict: string; reasons: string[]; criteria: Record<string, number> };
    expect(judge.verdict).toBe('repair');
    expect(judge.reasons[0]).toContain('出力が空');
    expect(Object.keys(judge.criteria)).toEqual(['正確さ', '敬語']);
    const repaired = JSON.parse(
      await ask(
        client(s),
        [
          { role: 'system', content: 'tane-task: repair\ntane-lang: ja\ntane-category: keigo' },
          {
            role: 'user',
            content: `Fix.\n\`\`\`json\n${JSON.stringify({ example, feedback: { score: judge.score, reasons: judge.reasons } })}\n\`\`\``,
          },
        ],
        JSON_FORMAT,
      ),
    ) as { instruction: string; output: string };
    expect(repaired.instruction).toBe(example.instruction);
    expect(repaired.output.length).toBeGreaterThan(0);
    expect(s.stats().byTask).toMatchObject({ judge: 1, repair: 1 });
  });

  it('echoes requests without markers, and fills a requested JSON schema', async () => {
    const s = await sim();
    const c = client(s);
    expect(await ask(c, [{ role: 'user', content: 'hello there' }])).toContain('hello there');
    const schema = {
      type: 'object',
      required: ['label', 'score', 'tags'],
      properties: {
        label: { enum: ['a', 'b'] },
        score: { type: 'integer', minimum: 1, maximum: 5 },
        tags: { type: 'array', items: { type: 'string' }, minItems: 2 },
      },
    };
    const json = JSON.parse(
      await ask(c, [{ role: 'user', content: 'classify' }], {
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema, strict: false } },
      }),
    ) as { label: string; score: number; tags: string[] };
    expect(['a', 'b']).toContain(json.label);
    expect(json.score).toBeGreaterThanOrEqual(1);
    expect(json.score).toBeLessThanOrEqual(5);
    expect(json.tags.length).toBeGreaterThanOrEqual(2);
    expect(s.stats().byTask.unknown).toBe(2);
  });

  it('reports usage and cuts replies at max_tokens', async () => {
    const s = await sim();
    const r = await client(s).chat.completions.create({
      model: 'm',
      messages: generateMessages('ja', 5),
      max_tokens: 20,
    });
    expect(r.choices[0]!.finish_reason).toBe('length');
    expect(r.usage!.completion_tokens).toBeLessThanOrEqual(20);
    expect(r.usage!.prompt_tokens).toBeGreaterThan(50);
  });

  it('answers 429 with Retry-After, then lets the retry of the same request through', async () => {
    // Fault decisions depend on the attempt count per request, so with rate 0.5 some retry succeeds.
    const s = await sim({ faults: { rate429: 0.5, retryAfterS: 0.25 } });
    const c = client(s);
    const statuses: number[] = [];
    let content = '';
    for (let i = 0; i < 40 && !content; i++) {
      try {
        content = await ask(c, [{ role: 'user', content: 'retry me' }]);
        statuses.push(200);
      } catch (err) {
        const e = err as InstanceType<typeof OpenAI.APIError>;
        statuses.push(e.status ?? 0);
        expect(e.headers?.get('retry-after')).toBe('1');
        expect(e.headers?.get('retry-after-ms')).toBe('250');
      }
    }
    expect(content).toContain('retry me');
    expect(statuses.at(-1)).toBe(200);
    expect(s.stats().faultsInjected.rate429).toBe(statuses.length - 1);
  });

  it('injects 500s, truncated bodies and malformed JSON content when asked', async () => {
    const s500 = await sim({ faults: { rate500: 1 } });
    await expect(ask(client(s500), [{ role: 'user', content: 'x' }])).rejects.toMatchObject({ status: 500 });
    const cut = await sim({ faults: { rateTruncated: 1 } });
    await expect(ask(client(cut), [{ role: 'user', content: 'x' }])).rejects.toThrow();
    expect(cut.stats().faultsInjected.truncated).toBe(1);
    const bad = await sim({ faults: { rateMalformedJson: 1 } });
    const content = await ask(client(bad), generateMessages('en'), JSON_FORMAT);
    expect(() => JSON.parse(content)).toThrow();
    expect(bad.stats().faultsInjected).toMatchObject({ malformedJson: 1, total: 1 });
  });

  it('hangs on a timeout fault until the client gives up, and counts it in flight meanwhile', async () => {
    const s = await sim({ faults: { rateTimeout: 1 } });
    await expect(ask(client(s, { timeout: 200 }), [{ role: 'user', content: 'x' }])).rejects.toThrow(
      /timed out/i,
    );
    expect(s.stats().faultsInjected.timeout).toBe(1);
    expect(s.stats().maxConcurrent).toBe(1);
    await expect.poll(() => s.stats().inFlight).toBe(0);
  });

  it('tracks the highest number of requests in flight', async () => {
    const s = await sim({ latency: { fixedMs: 100 } });
    const c = client(s);
    await Promise.all(Array.from({ length: 6 }, (_, i) => ask(c, [{ role: 'user', content: `r${i}` }])));
    expect(s.stats()).toMatchObject({ maxConcurrent: 6, inFlight: 0, chatCompletions: 6 });
    s.resetStats();
    expect(s.stats().requestsTotal).toBe(0);
  });

  it('answers 401 without the required key and repeats the key it got', async () => {
    const s = await sim({ requireApiKey: 'sk-right-key-000' });
    const err = await ask(client(s, { apiKey: 'sk-wrong-key-111' }), [{ role: 'user', content: 'x' }]).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ status: 401 });
    expect(String((err as Error).message)).toContain('sk-wrong-key-111');
    expect(await ask(client(s, { apiKey: 'sk-right-key-000' }), [{ role: 'user', content: 'ok' }])).toContain(
      'ok',
    );
    expect(s.stats().unauthorized).toBe(1);
  });

  it('refuses streaming and unsupported response formats with a 400 that says why', async () => {
    const s = await sim({ responseFormats: ['json_object'] });
    const res = await fetch(`${s.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/stream/);
    await expect(
      ask(client(s), [{ role: 'user', content: 'x' }], {
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } },
      }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/response_format/) });
  });

  it('serves models, deterministic embeddings, health and stats', async () => {
    const s = await sim({ model: 'sim-model' });
    const c = client(s);
    const models = await c.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['sim-model']);
    const texts = [
      '請求書の金額を確認してください',
      '請求書の金額を確認して下さい',
      'The weather is nice today',
    ];
    const e1 = await c.embeddings.create({ model: 'e', input: texts, dimensions: 64 });
    const e2 = await c.embeddings.create({ model: 'e', input: texts, dimensions: 64 });
    expect(e1.data.map((d) => d.embedding)).toEqual(e2.data.map((d) => d.embedding));
    const [a, b, z] = e1.data.map((d) => d.embedding);
    const cos = (x: number[], y: number[]) => x.reduce((sum, v, i) => sum + v * y[i]!, 0);
    expect(a).toHaveLength(64);
    expect(cos(a!, b!)).toBeGreaterThan(cos(a!, z!));
    expect(await (await fetch(s.url.replace('/v1', '/health'))).json()).toEqual({ status: 'ok' });
    const stats = (await (await fetch(s.url.replace('/v1', '/stats'))).json()) as {
      embeddings: number;
      requestsTotal: number;
    };
    expect(stats).toMatchObject({ embeddings: 2, requestsTotal: 3 });
  });
});
