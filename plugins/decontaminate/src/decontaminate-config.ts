import type { JsonSchema } from '@tane/core';
import type { TestSetSpec } from './test-sets/load-test-set.ts';

/** Config of the decontaminate stage (after schema defaults are applied). */
export interface DecontaminateConfig {
  /** The test sets (files; relative paths are relative to the pipeline file's folder). */
  testSets: TestSetSpec[];
  /** Row fields compared with the test items (default instruction, input, output). */
  fields: ('instruction' | 'input' | 'output')[];
  /** Character n-gram length for Japanese (CJK) text (default 13). */
  charNgram: number;
  /** Word n-gram length for English and other spaced text (default 13). */
  wordNgram: number;
  /** An n-gram in more test items than this is ignored as too common (default 10). */
  maxItemsPerNgram: number;
  /** Distinct n-grams a row must share with one test item to be contaminated (default 1). */
  minMatches: number;
  /** Share of the item's n-grams the row must contain too, 0–1 (default 0). */
  minItemCoverage: number;
  /** Where to keep the built index between runs ('' = rebuild on every start). */
  cacheFile: string;
  /** Distinct n-grams the index may hold (default 20,000,000, about 600 MB). */
  maxNgrams: number;
}

export const testSetSpecSchema: JsonSchema = {
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
};

export const decontaminateConfigSchema: JsonSchema = {
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
};
