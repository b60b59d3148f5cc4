import { inspect } from 'node:util';
import { memoryLogger } from '@tane/core';
import { type LlmSim, startLlmSim } from '@tane/llm-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLlmClients, getLlmClient, type LlmEvent } from '../src/index.ts';
import { caught } from './caught.ts';
import { judgeRequest } from './judge-request.ts';

const KEY = 'sk-test-SECRET-1234567890';
let sim: LlmSim | undefined;
afterEach(async () => {
  await closeAllLlmClients();
  await sim?.close();
  sim = undefined;
});

/** Every way an error or a record of it could be printed or shipped. */
function renderings(err: unknown): string[] {
  const e = err as Error & { format?: () => string; cause?: unknown };
  return [
    String(e),
    e.message,
    e.stack ?? '',
    e.format?.() ?? '',
    JSON.stringify(e),
    inspect(e, { depth: 10 }),
    inspect(e.cause, { depth: 10 }),
  ];
}

function expectNoKey(texts: string[]): void {
  for (const t of texts) {
    expect(t).not.toContain(KEY);
    expect(t).not.toContain('SECRET-1234567890');
  }
}

describe('API key hygiene', () => {
  it('keeps the key out of the error, events and logs when the server refuses it (401)', async () => {
    // The simulator repeats the wrong key in its 401 message, as some servers do.
    sim = await startLlmSim({ requireApiKey: 'sk-the-right-key-0000' });
    const logger = memoryLogger();
    const events: LlmEvent[] = [];
    const llm = getLlmClient({ baseURL: sim.url, apiKey: KEY, cachePath: false, logger });
    llm.onEvent((e) => events.push(e));
    const err = await caught(llm.chat({ plugin: 'p@1', messages: [{ role: 'user', content: 'hi' }] }));
    expect(err).toMatchObject({ code: 'LLM_CONFIG', hint: expect.stringContaining('OPENAI_API_KEY') });
    expect((err as Error).message).toContain('HTTP 401');
    expect((err as Error).message).toContain('[redacted]');
    expect(sim.stats().unauthorized).toBe(1);
    expectNoKey(renderings(err));
    expectNoKey(events.map((e) => JSON.stringify(e)));
    expectNoKey(logger.entries.map((e) => JSON.stringify(e)));
    expectNoKey([JSON.stringify(llm.usage()), llm.describe(), llm.endpoint]);
  });

  it('keeps the key out of retry logs, exhausted retries and invalid-output excerpts', async () => {
    sim = await startLlmSim({ requireApiKey: KEY, faults: { rate500: 1 } });
    const logger = memoryLogger();
    const events: LlmEvent[] = [];
    const llm = getLlmClient({
      baseURL: sim.url,
      apiKey: KEY,
      cachePath: false,
      logger,
      maxRetries: 2,
      retryBaseDelayMs: 1,
    });
    llm.onEvent((e) => events.push(e));
    const exhausted = await caught(llm.chat({ plugin: 'p@1', messages: [{ role: 'user', content: 'x' }] }));
    expect(exhausted).toMatchObject({ code: 'LLM_RETRIES_EXHAUSTED' });
    expectNoKey(renderings(exhausted));

    // A model that echoes a prompt containing the key must not leak it through the excerpt.
    const echo = await startLlmSim({ requireApiKey: KEY });
    try {
      const echoing = getLlmClient({
        baseURL: echo.url,
        apiKey: KEY,
        cachePath: false,
        logger,
        structuredOutput: 'none',
      });
      echoing.onEvent((e) => events.push(e));
      const invalid = await caught(
        echoing.chatJson({
          ...judgeRequest(0),
          messages: [{ role: 'user', content: `my key is ${KEY}, reply in JSON` }],
          maxInvalidRetries: 0,
        }),
      );
      expect(invalid).toMatchObject({ code: 'LLM_INVALID_OUTPUT' });
      expect((invalid as Error).message).toContain('Reply excerpt');
      expectNoKey(renderings(invalid));
    } finally {
      await echo.close();
    }
    expect(logger.entries.some((e) => e.msg.includes('retrying'))).toBe(true);
    expectNoKey(events.map((e) => JSON.stringify(e)));
    expectNoKey(logger.entries.map((e) => JSON.stringify(e)));
  });
});
