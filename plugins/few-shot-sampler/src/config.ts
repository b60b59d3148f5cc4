import type { ConfigFromSchema, ConfigSchema } from '@tane/core';

/** The few-shot-sampler's stage config, after schema defaults are applied (derived from its schema). */
export type FewShotSamplerConfig = ConfigFromSchema<typeof fewShotSamplerConfigSchema>;

/** JSON Schema of the few-shot-sampler's config; {@link FewShotSamplerConfig} is derived from it. */
export const fewShotSamplerConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    k: { type: 'integer', minimum: 1, default: 8, description: 'Few-shot examples per task.' },
    seeds: {
      type: 'integer',
      minimum: 0,
      default: 6,
      description: 'How many of the k are human-written seeds (Self-Instruct: 6 of 8).',
    },
    generated: {
      type: 'integer',
      minimum: 0,
      default: 2,
      description: 'How many of the k are accepted, machine-generated examples (Self-Instruct: 2 of 8).',
    },
    seedsTopic: {
      type: 'string',
      minLength: 1,
      default: 'seeds',
      description: 'Logical topic of seed records.',
    },
    datasetTopic: {
      type: 'string',
      minLength: 1,
      default: 'dataset',
      description: 'Logical topic of accepted examples, followed while the pipeline runs.',
    },
    maxGenerated: {
      type: 'integer',
      minimum: 0,
      default: 1000,
      description:
        'Most accepted examples kept per category to sample from: a uniform sample of all of them, chosen by id hash. 0 uses seeds only.',
    },
  },
} as const satisfies ConfigSchema;
