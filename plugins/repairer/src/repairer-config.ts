import type { ConfigFromSchema, ConfigSchema } from '@tane/core';
import {
  DEFAULT_META_TALK,
  DEFAULT_REFUSALS,
  llmSettingsSchema,
  maxInvalidRetriesSchema,
  samplingParamsSchema,
  templatesConfigSchema,
} from '@tane/prompt-kit';

/** Config of the repairer stage, after schema defaults are applied (derived from its schema). */
export type RepairerConfig = ConfigFromSchema<typeof repairerConfigSchema>;

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
      description:
        'Repairs per record; a record that already had this many goes to give_up without a model call (0 = never repair)',
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
} as const satisfies ConfigSchema;
