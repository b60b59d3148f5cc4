import type { ConfigFromSchema, ConfigSchema } from '@tane/core';

/** Config of the decontaminate stage, after schema defaults are applied (derived from its schema). */
export type DecontaminateConfig = ConfigFromSchema<typeof decontaminateConfigSchema>;

export const testSetSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: { type: 'string', minLength: 1, description: 'The test-set file.' },
    format: {
      type: 'string',
      enum: ['auto', 'llm-jp-eval', 'jglue', 'squad', 'jsonl'],
      default: 'auto',
      description:
        'llm-jp-eval task JSON (samples), JGLUE JSON lines (question/choiceN, sentence1/2), SQuAD-style JSON (data/paragraphs/qas), or plain JSON lines with textFields.',
    },
    name: {
      type: 'string',
      minLength: 1,
      description:
        'Benchmark name in outcomes and the card (default: the file name without version and split).',
    },
    textFields: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      minItems: 1,
      description: 'For jsonl: the fields holding text (default text).',
    },
    idField: { type: 'string', minLength: 1, description: 'For jsonl: the field holding the item id.' },
    includeFewShots: {
      type: 'boolean',
      default: false,
      description: "For llm-jp-eval: also index the task's few_shots (taken from the training split).",
    },
  },
} as const satisfies ConfigSchema;

export const decontaminateConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['testSets'],
  properties: {
    testSets: {
      type: 'array',
      minItems: 1,
      items: testSetSpecSchema,
      description: 'Test-set files to decontaminate against; nothing is downloaded.',
    },
    fields: {
      type: 'array',
      items: { type: 'string', enum: ['instruction', 'input', 'output'] },
      minItems: 1,
      uniqueItems: true,
      default: ['instruction', 'input', 'output'],
      description: 'Row fields compared with the test items.',
    },
    charNgram: {
      type: 'integer',
      minimum: 3,
      maximum: 200,
      default: 13,
      description: 'Character n-gram length for Japanese text (no spaces between words).',
    },
    wordNgram: {
      type: 'integer',
      minimum: 3,
      maximum: 100,
      default: 13,
      description: "Word n-gram length for English text (GPT-3's and NeMo Curator's 13).",
    },
    maxItemsPerNgram: {
      type: 'integer',
      minimum: 1,
      maximum: 65534,
      default: 10,
      description: 'N-grams found in more test items than this are too common and ignored.',
    },
    minMatches: {
      type: 'integer',
      minimum: 1,
      default: 1,
      description: 'Distinct n-grams a row must share with one test item.',
    },
    minItemCoverage: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: 0,
      description: "Share of the test item's n-grams the row must contain (0 = any overlap of minMatches).",
    },
    maxNgrams: {
      type: 'integer',
      minimum: 1,
      default: 20_000_000,
      description:
        'Distinct n-grams the index may hold: a bound on memory (about 30 MB per million). More stops the worker at start with DECONTAMINATE_INDEX_FULL.',
    },
    cacheFile: {
      type: 'string',
      default: '',
      description:
        "File the built index is kept in (relative to the pipeline file's folder); reused while the test sets and options are unchanged. '' = build at every start.",
    },
  },
} as const satisfies ConfigSchema;
