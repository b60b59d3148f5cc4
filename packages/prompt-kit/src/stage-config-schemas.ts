import type { ConfigFromSchema, ConfigSchema } from '@tane/core';

/**
 * Sampling parameters a model-facing stage sends with every request (`params` in its config),
 * derived from {@link samplingParamsSchema}.
 */
export type SamplingParams = ConfigFromSchema<ReturnType<typeof samplingParamsSchema>>;

/**
 * JSON Schema of a stage's `params`: the bounds every model-facing stage
 * shares (temperature 0–2, top_p in (0, 1], max_tokens ≥ 1), with the
 * stage's own defaults.
 *
 * @example
 * ```ts
 * properties: {
 *   params: samplingParamsSchema({ temperature: 0, top_p: 1, max_tokens: 1024 }),
 * }
 * ```
 */
export function samplingParamsSchema(
  defaults: { temperature: number; top_p: number; max_tokens: number },
  description = 'Sampling parameters sent with every request',
) {
  return {
    type: 'object',
    default: {},
    additionalProperties: false,
    description,
    properties: {
      temperature: { type: 'number', minimum: 0, maximum: 2, default: defaults.temperature },
      top_p: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: defaults.top_p },
      max_tokens: { type: 'integer', minimum: 1, default: defaults.max_tokens },
    },
  } as const satisfies ConfigSchema;
}

/**
 * JSON Schema of {@link TemplatesConfig}: paths relative to the pipeline
 * folder, one per language, nothing else.
 *
 * @example
 * ```ts
 * properties: { templates: templatesConfigSchema }
 * ```
 */
export const templatesConfigSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  description: 'Replace the built-in prompt template of a language (path relative to the pipeline folder)',
  properties: { ja: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
} as const satisfies ConfigSchema;

/** A stage's `templates`: per prompt language, a template that replaces the built-in one (derived). */
export type TemplatesConfig = ConfigFromSchema<typeof templatesConfigSchema>;

/**
 * JSON Schema of a stage's `maxInvalidRetries`: 0–5 re-asks after a reply
 * that fails the JSON Schema, 2 by default. The description says what happens
 * after the last one, which differs per stage.
 *
 * @example
 * ```ts
 * properties: {
 *   maxInvalidRetries: maxInvalidRetriesSchema('Re-asks …, then the record fails with LLM_INVALID_OUTPUT'),
 * }
 * ```
 */
export function maxInvalidRetriesSchema(description: string) {
  return { type: 'integer', minimum: 0, maximum: 5, default: 2, description } as const satisfies ConfigSchema;
}
