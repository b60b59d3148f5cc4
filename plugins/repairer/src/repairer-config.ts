import {
  type LlmSettings,
  llmSettingsSchema,
  maxInvalidRetriesSchema,
  type SamplingParams,
  samplingParamsSchema,
  type TemplatesConfig,
  templatesConfigSchema,
} from '@tane/prompt-kit';

/** Config of the repairer stage, with defaults applied. */
export interface RepairerConfig {
  /** Repairs per record; a record that already had this many goes to `give_up` without a model call. */
  maxAttempts: number;
  llm: LlmSettings;
  params: SamplingParams;
  templates: TemplatesConfig;
  maxInvalidRetries: number;
}

/** JSON Schema of {@link RepairerConfig}. */
export const repairerConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxAttempts: {
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: 2,
      description: 'Repairs per record before it is given up (0 = never repair)',
    },
    llm: llmSettingsSchema,
    params: samplingParamsSchema(
      { temperature: 0.3, top_p: 0.95, max_tokens: 2048 },
      'Low temperature: a repair should change what the judge named and little else',
    ),
    templates: templatesConfigSchema,
    maxInvalidRetries: maxInvalidRetriesSchema(
      'Re-asks after a reply that fails the JSON Schema, then the record fails with LLM_INVALID_OUTPUT',
    ),
  },
} as const;
