import type { Logger } from '@tane/core';
import type { LlmClient, LlmEndpointConfig } from '@tane/llm';
import { endpointConfig, type LlmSettings } from './llm-settings.ts';

/** How a stage gets a client: `getLlmClient` in a pipeline, a fake in unit tests. */
export type LlmClientFactory = (config: LlmEndpointConfig) => LlmClient;

/**
 * The clients of one stage: the configured model, plus one per model a
 * category asks for (`meta.category.model.name`). `getLlmClient` already
 * shares one client per (endpoint, model) per process; this only saves the
 * lookup per record.
 *
 * @example
 * ```ts
 * const clients = new StageLlmClients(getLlmClient, config.llm, setup); // setup: { baseDir, dataDir, logger }
 * const client = clients.get(category.modelName); // the configured model when the category names none
 * ```
 */
export class StageLlmClients {
  private readonly byModel = new Map<string, LlmClient>();

  constructor(
    private readonly factory: LlmClientFactory,
    private readonly settings: LlmSettings,
    private readonly setup: { baseDir: string; dataDir: string; logger?: Logger },
  ) {}

  /** The client for a category's model, or the configured one. */
  get(model?: string): LlmClient {
    const key = model ?? '';
    let client = this.byModel.get(key);
    if (!client) {
      const config: LlmEndpointConfig = endpointConfig(this.settings, this.setup, model);
      // Retries and throttling of the endpoint go to the stage's log (the client never logs the key).
      if (this.setup.logger) config.logger = this.setup.logger;
      client = this.factory(config);
      this.byModel.set(key, client);
    }
    return client;
  }
}
