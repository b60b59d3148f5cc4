/** The few-shot-sampler's stage config, after schema defaults are applied. */
export interface FewShotSamplerConfig {
  /** Few-shot examples per task. */
  k: number;
  /** How many of them are human-written seeds. */
  seeds: number;
  /** How many of them are accepted, machine-generated examples. */
  generated: number;
  /** Logical topic of seed records. */
  seedsTopic: string;
  /** Logical topic of accepted examples. */
  datasetTopic: string;
  /** Most accepted examples kept per category to sample from (0: seeds only). */
  maxGenerated: number;
}

/** JSON Schema of {@link FewShotSamplerConfig}. */
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
} as const;
