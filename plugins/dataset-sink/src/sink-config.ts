import type { ConfigFromSchema, ConfigSchema } from '@tane/core';
import { EXPORT_FORMATS } from './export-formats.ts';

/** Config of the dataset-sink stage, after schema defaults are applied (derived from its schema). */
export type DatasetSinkConfig = ConfigFromSchema<typeof datasetSinkConfigSchema>;

/** JSON Schema of {@link DatasetSinkConfig}. */
export const datasetSinkConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dir: {
      type: 'string',
      minLength: 1,
      description:
        'Dataset folder (default <dataDir>/datasets/<runId>). Relative paths resolve against the pipeline file; {runId} is replaced.',
    },
    shardSize: { type: 'integer', minimum: 1, description: 'Rows per shard file.', default: 10000 },
    flushEvery: {
      type: 'integer',
      minimum: 1,
      description: 'Group commit: write and fsync as soon as this many records wait.',
      default: 500,
    },
    flushIntervalMs: {
      type: 'integer',
      minimum: 1,
      description: 'Group commit: write at the latest this long after the first waiting record.',
      default: 1000,
    },
    formats: {
      type: 'array',
      items: { type: 'string', enum: [...EXPORT_FORMATS] },
      uniqueItems: true,
      description: 'Export formats written into exports/ (and data/ for parquet) from the shards.',
      default: ['plain', 'alpaca', 'openai', 'llm-jp-eval'],
    },
    systemPrompt: { type: 'string', description: 'System message of the openai and sharegpt exports.' },
    publishIntervalMs: {
      type: 'integer',
      minimum: 0,
      description:
        'Least time between two updates of the folder (open shard parts, exports, manifest, card) when the input is idle, and at least 19 times as long as the last update took (so rewriting a large folder takes at most 5% of a run); 0 updates it at every idle flush. Close always updates it.',
      default: 60000,
    },
    outcomeFiles: {
      type: 'boolean',
      description:
        'Also write rejected.jsonl and duplicates.jsonl (rejection reasons and duplicate clusters for `tane report`).',
      default: true,
    },
    generatedTopic: {
      type: 'string',
      description: "Logical topic read for the per-category `generated` counts ('' to skip).",
      default: 'generated',
    },
    mixture: {
      type: 'object',
      additionalProperties: false,
      description:
        'A mixture recipe: the exports (not the shards, which keep every accepted row) hold a seeded sample of the accepted rows by source and category; manifest.json and the card show requested vs actual. See docs/mixing.md.',
      properties: {
        seed: {
          type: 'integer',
          default: 0,
          description: 'Seeds the row hash that picks the rows of a sampled source.',
        },
        total: {
          type: 'integer',
          minimum: 1,
          description:
            'Rows of the mixture; without it the weights give the largest mixture that needs no up-sampling.',
        },
        upsample: {
          type: 'boolean',
          default: false,
          description:
            'Repeat the rows of a source that has fewer than requested (default: it gives what it has).',
        },
        sources: {
          type: 'object',
          description:
            'Per source (an imported source name, or `generated` for the Self-Instruct rows): weight (relative share) and cap (most rows). Sources not named are left out.',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              weight: { type: 'number', minimum: 0, description: 'Relative share (default 1).' },
              cap: { type: 'integer', minimum: 0, description: 'Most rows of this source.' },
            },
          },
          examples: [{ generated: { weight: 0.3 }, 'dolly-ja': { weight: 0.7, cap: 400000 } }],
        },
        categories: {
          type: 'object',
          description: 'Per category: cap (most rows of the category in the mixture, over all sources).',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: { cap: { type: 'integer', minimum: 0, description: 'Most rows of this category.' } },
          },
        },
      },
    },
    card: {
      type: 'object',
      additionalProperties: false,
      description: 'Dataset card (README.md) text; the title defaults to the pipeline name.',
      properties: {
        title: { type: 'string' },
        description: { type: 'string' },
        license: { type: 'string', description: 'License id for the card metadata (default other).' },
      },
      default: {},
    },
  },
} as const satisfies ConfigSchema;
