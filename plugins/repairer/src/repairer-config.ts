import { type LlmSettings, llmSettingsSchema } from './llm-settings.ts';

/** Config of the repairer stage, with defaults applied. */
export interface RepairerConfig {
  /** Repairs per record; a record that already had this many goes to `give_up` without a model call. */
  maxAttempts: number;
  llm: LlmSettings;
  params: { temperature: number; top_p: number; max_tokens: number };
  templates: { ja?: string; en?: string };
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
    params: {
      type: 'object',
      default: {},
      additionalProperties: false,
      description: 'Low temperature: a repair should change what the judge named and little else',
      properties: {
        temperature: { type: 'number', minimum: 0, maximum: 2, default: 0.3 },
        top_p: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.95 },
        max_tokens: { type: 'integer', minimum: 1, default: 2048 },
      },
    },
    templates: {
      type: 'object',
      default: {},
      additionalProperties: false,
      description:
        'Replace the built-in prompt template of a language (path relative to the pipeline folder)',
      properties: { ja: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
    },
    maxInvalidRetries: {
      type: 'integer',
      minimum: 0,
      maximum: 5,
      default: 2,
      description:
        'Re-asks after a reply that fails the JSON Schema, then the record fails with LLM_INVALID_OUTPUT',
    },
  },
} as const;
