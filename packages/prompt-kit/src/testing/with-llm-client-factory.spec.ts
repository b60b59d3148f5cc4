import { definePlugin, ENGINE_API, type StageSetupContext } from '@tane/core';
import { describe, expect, it } from 'vitest';
import type { LlmClientFactory } from '../llm-clients.ts';
import { TEST_PLUGIN_VERSION, withLlmClientFactory } from './with-llm-client-factory.ts';

describe('withLlmClientFactory', () => {
  it('keeps the published definition and hands the factory to the stage', async () => {
    const plugin = definePlugin<{ n: number }>({
      name: '@acme/plugin-x',
      version: '3.1.0',
      engineApi: ENGINE_API,
      summary: 's',
      description: 'd',
      examples: [],
      configSchema: { type: 'object' },
      routes: [{ name: 'out', description: '' }],
      create: () => {
        throw new Error('the published create must not run');
      },
    });
    const factory = (() => {
      throw new Error('unused');
    }) as LlmClientFactory;
    const seen: unknown[] = [];
    const wired = withLlmClientFactory(
      plugin,
      (config, _setup, llmClient) => {
        seen.push(config, llmClient);
        return { kind: 'handler', handle: async () => [] };
      },
      factory,
    );
    expect(wired).toMatchObject({
      name: '@acme/plugin-x',
      version: TEST_PLUGIN_VERSION,
      routes: plugin.routes,
    });
    await wired.create({ n: 1 }, {} as StageSetupContext);
    expect(seen).toEqual([{ n: 1 }, factory]);
  });
});
