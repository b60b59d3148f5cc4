import { TaneError } from '@tane/core';
import { describe, expect, it } from 'vitest';
import { fakeLlmClients } from './fake-llm-clients.ts';

const request = {
  messages: [{ role: 'user' as const, content: 'hi' }],
  plugin: 'p@1',
  schema: {},
  schemaName: 's',
};

describe('fakeLlmClients', () => {
  it('answers chatJson from the function and records the call with the config', async () => {
    const { factory, calls } = fakeLlmClients((req, model) => ({ echo: req.messages[0]!.content, model }), {
      defaultModel: 'judge-model',
    });
    const client = factory({ cachePath: '/tmp/c.db' });
    expect(client.model).toBe('judge-model');
    const result = await client.chatJson<{ echo: string }>(request);
    expect(result.json).toEqual({ echo: 'hi', model: 'judge-model' });
    expect(result.content).toBe('{"echo":"hi","model":"judge-model"}');
    expect(calls).toEqual([{ config: { cachePath: '/tmp/c.db' }, req: request }]);
    expect((await factory({ model: 'qwen' }).chatJson(request)).model).toBe('qwen');
  });

  it('fails the call with what the function throws', async () => {
    const error = new TaneError('LLM_INVALID_OUTPUT', 'not JSON');
    const { factory, calls } = fakeLlmClients(() => {
      throw error;
    });
    await expect(factory({}).chatJson(request)).rejects.toBe(error);
    expect(calls).toHaveLength(1);
  });

  it('answers plain chat only when given a plain reply', async () => {
    const withPlain = fakeLlmClients(() => ({}), { plain: () => '1. Instruction: a' });
    expect((await withPlain.factory({}).chat(request)).content).toBe('1. Instruction: a');
    expect(withPlain.plainCalls).toEqual([request]);
    await expect(
      fakeLlmClients(() => ({}))
        .factory({})
        .chat(request),
    ).rejects.toThrow(/plain/);
  });
});
