import { memoryLogger } from '@tane/core';
import type { LlmClient, LlmEndpointConfig } from '@tane/llm';
import { describe, expect, it } from 'vitest';
import { StageLlmClients } from './llm-clients.ts';

function recordingFactory() {
  const configs: LlmEndpointConfig[] = [];
  const factory = (config: LlmEndpointConfig): LlmClient => {
    configs.push(config);
    return { model: config.model ?? 'default-model' } as unknown as LlmClient;
  };
  return { factory, configs };
}

describe('StageLlmClients', () => {
  const dirs = { baseDir: '/srv/pipeline', dataDir: '/srv/pipeline/.tane' };

  it("makes one client per model: the configured one, and one per category's model", () => {
    const { factory, configs } = recordingFactory();
    const clients = new StageLlmClients(factory, { model: 'mixtral', maxConcurrency: 8 }, dirs);
    expect(clients.get().model).toBe('mixtral');
    expect(clients.get('qwen').model).toBe('qwen');
    expect(clients.get()).toBe(clients.get(undefined));
    expect(clients.get('qwen')).toBe(clients.get('qwen'));
    expect(configs.map((c) => c.model)).toEqual(['mixtral', 'qwen']);
    expect(
      configs.every((c) => c.maxConcurrency === 8 && c.cachePath === '/srv/pipeline/.tane/llm-cache.db'),
    ).toBe(true);
  });

  it("hands the stage's logger to the client, so retries show up in the stage's log", () => {
    const { factory, configs } = recordingFactory();
    const logger = memoryLogger();
    new StageLlmClients(factory, {}, { ...dirs, logger }).get();
    expect(configs[0]!.logger).toBe(logger);
    new StageLlmClients(factory, {}, dirs).get();
    expect(configs[1]).not.toHaveProperty('logger');
  });
});
