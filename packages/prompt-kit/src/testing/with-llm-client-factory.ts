import type { PluginDefinition, StageImpl, StageSetupContext } from '@tane/core';
import type { LlmClientFactory } from '../llm-clients.ts';

/** The version {@link withLlmClientFactory} gives a plugin, so lineage in assertions does not change with each release. */
export const TEST_PLUGIN_VERSION = '0.0.0-test';

/**
 * A model-facing plugin as published (schema, defaults, routes), but whose
 * stage gets its clients from `factory` instead of `getLlmClient`, with
 * version {@link TEST_PLUGIN_VERSION}.
 *
 * @example
 * ```ts
 * const { factory, calls } = fakeLlmClients(() => reply);
 * const h = await testPlugin(withLlmClientFactory(judge, createJudgeStage, factory), { stage: 'judge' });
 * ```
 */
export function withLlmClientFactory<C>(
  plugin: PluginDefinition<C>,
  createStage: (config: C, setup: StageSetupContext, llmClient: LlmClientFactory) => StageImpl,
  factory: LlmClientFactory,
): PluginDefinition<C> {
  return {
    ...plugin,
    version: TEST_PLUGIN_VERSION,
    create: (config, setup) => createStage(config, setup, factory),
  };
}
