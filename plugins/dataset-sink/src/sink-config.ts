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
        'Least time between two updates of the folder (open shard parts, exports, manifest, card) when the input is idle; close always updates it.',
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
