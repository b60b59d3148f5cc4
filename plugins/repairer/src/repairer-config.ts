import {
  DEFAULT_META_TALK,
  DEFAULT_REFUSALS,
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
  /** Assistant talk a repaired example must not hold (the generator's `metaTalk` and `refusals` filters). */
  filters: { metaTalk: string[]; refusals: string[] };
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
    filters: {
      type: 'object',
      default: {},
      additionalProperties: false,
      description:
        'A repair that opens with assistant talk or is a refusal is given up (rejected with reason filter), not sent back to the judge',
      properties: {
        metaTalk: {
          type: 'array',
          items: { type: 'string', minLength: 1, format: 'regex' },
          default: [...DEFAULT_META_TALK],
          description:
            'Regular expressions of assistant talk a repaired instruction or output must not open with; [] = off',
        },
        refusals: {
          type: 'array',
          items: { type: 'string', minLength: 1, format: 'regex' },
          default: [...DEFAULT_REFUSALS],
          description: 'Regular expressions of a refusal a repaired output must not contain; [] = off',
        },
      },
    },
  },
} as const;
