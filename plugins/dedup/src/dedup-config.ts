import type { ConfigFromSchema, ConfigSchema } from '@tane/core';

/** Config of the dedup stage, after schema defaults are applied (derived from its schema). */
export type DedupConfig = ConfigFromSchema<typeof dedupConfigSchema>;

export const dedupConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    fields: {
      type: 'array',
      description:
        'Example fields compared. Self-Instruct compares instructions; input is included by default so the same instruction on different inputs is kept.',
      items: { type: 'string', enum: ['instruction', 'input', 'output'] },
      minItems: 1,
      uniqueItems: true,
      default: ['instruction', 'input'],
    },
    scope: {
      type: 'string',
      enum: ['category', 'global'],
      description: 'One index per category, or one index across categories.',
      default: 'category',
    },
    ngram: {
      type: 'integer',
      minimum: 1,
      maximum: 16,
      description: 'Character n-gram length, after normalisation (works for Japanese, which has no spaces).',
      default: 3,
    },
    numPerm: {
      type: 'integer',
      minimum: 8,
      maximum: 1024,
      description: 'MinHash signature length.',
      default: 128,
    },
    bands: { type: 'integer', minimum: 1, maximum: 512, description: 'LSH bands.', default: 32 },
    rows: {
      type: 'integer',
      minimum: 1,
      maximum: 64,
      description: 'Signature rows per LSH band.',
      default: 4,
    },
    threshold: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      description: 'Estimated Jaccard similarity at or above which an LSH candidate is a near duplicate.',
      default: 0.7,
    },
    rougeL: {
      type: 'object',
      additionalProperties: false,
      description:
        "Self-Instruct's rule on the LSH candidates: a duplicate if ROUGE-L F1 ≥ threshold (characters for CJK, words otherwise).",
      properties: {
        enabled: { type: 'boolean', default: false },
        threshold: { type: 'number', minimum: 0, maximum: 1, default: 0.7 },
      },
      default: {},
    },
    minSharedBands: {
      type: 'integer',
      minimum: 1,
      description:
        'LSH bands an indexed example must share to be checked. Default: 2 with the Jaccard check (skips the crowded one-band buckets of common phrases at ~0.2% recall cost at J = 0.7), 1 with ROUGE-L.',
    },
    exhaustiveBelow: {
      type: 'integer',
      minimum: 0,
      default: 256,
      description:
        'With ROUGE-L on: a category (scope) with at most this many indexed examples is compared with every one of them instead of the LSH candidates only, so no near-duplicate pair slips through while it is small (LSH misses pairs with a high ROUGE-L but a low n-gram Jaccard, e.g. one long input under two instructions). 0 always uses LSH.',
    },
    bucketCap: {
      type: 'integer',
      minimum: 1,
      maximum: 65536,
      default: 64,
      description:
        'Entries one LSH bucket keeps. Past it a bucket keeps the examples whose text hashes lowest, so the cost per example stays flat as the index grows (texts of common words crowd a few buckets); near duplicates are still found through their other bands.',
    },
    seedsTopic: {
      type: 'string',
      description: "Logical topic whose seeds are indexed at start ('' to skip).",
      default: 'seeds',
    },
    datasetTopic: {
      type: 'string',
      description: "Logical topic whose accepted examples are indexed at start ('' to skip).",
      default: 'dataset',
    },
  },
} as const satisfies ConfigSchema;
