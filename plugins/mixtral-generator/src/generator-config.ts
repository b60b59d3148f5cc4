import type { ConfigFromSchema, ConfigSchema } from '@tane/core';
import {
  DEFAULT_META_TALK,
  DEFAULT_REFUSALS,
  llmSettingsSchema,
  maxInvalidRetriesSchema,
  samplingParamsSchema,
  templatesConfigSchema,
} from '@tane/prompt-kit';

/** The largest `k` one request may ask for: longer replies get cut by `max_tokens` and lose diversity. */
export const MAX_K = 20;

export { DEFAULT_META_TALK, DEFAULT_REFUSALS };

/** Config of the generator stage, after schema defaults are applied (derived from its schema). */
export type GeneratorConfig = ConfigFromSchema<typeof generatorConfigSchema>;

/** The candidate filters' settings (`filters`), derived from the schema. */
export type FilterConfig = GeneratorConfig['filters'];

/** Sampling parameters sent with every request: the config's `params`, plus `seed` when `seedPerTask` is on. */
export type GenerationParams = GeneratorConfig['params'] & { seed?: number };

/** Filter settings for one category (`filtersByCategory.<id>`): any subset of {@link FilterConfig}. */
export type FilterOverride = GeneratorConfig['filtersByCategory'][string];

/** The filter settings of a category: the stage's, with the category's override on top. */
export function filtersFor(
  config: Pick<GeneratorConfig, 'filters' | 'filtersByCategory'>,
  category: string,
): FilterConfig {
  const o = config.filtersByCategory[category];
  if (!o) return config.filters;
  return {
    ...config.filters,
    ...o,
    instruction: { ...config.filters.instruction, ...o.instruction },
    output: { ...config.filters.output, ...o.output },
  };
}

/** Self-Instruct's blocklist with a few additions, in English and Japanese. */
export const DEFAULT_BLOCKLIST: readonly string[] = [
  'image',
  'picture',
  'photo',
  'graph',
  'file',
  'map',
  'draw',
  'plot',
  'go to',
  'video',
  'audio',
  'music',
  'flowchart',
  'diagram',
  'screenshot',
  'attachment',
  '画像',
  '写真',
  '図',
  'グラフ',
  'ファイル',
  '地図',
  '描いて',
  '描く',
  '描き',
  '描け',
  '動画',
  '音声',
  '録音',
  '音楽',
  '添付',
  'イラスト',
  'ビデオ',
  'スクリーンショット',
  'フローチャート',
];

/** Ordinary words that contain a blocked one (図 in 意図, 図書, 合図 …). */
export const DEFAULT_BLOCKLIST_EXCEPTIONS: readonly string[] = [
  '意図',
  '図る',
  '図り',
  '図ら',
  '図れ',
  '図書',
  '合図',
  '指図',
  '企図',
  '構図',
  '縮図',
  '系図',
];

/** Words of a Japanese instruction that ask for an answer in another language (a ja→en translation category). */
export const DEFAULT_FOREIGN_OUTPUT_WORDS: readonly string[] = [
  '英語',
  '英訳',
  '英文',
  'English',
  '翻訳',
  '訳して',
  '中国語',
  '韓国語',
  'フランス語',
  'ドイツ語',
  'スペイン語',
  'ローマ字',
];

const range = (min: number, max: number, what: string) =>
  ({
    type: 'object',
    default: {},
    additionalProperties: false,
    description: `${what} length in characters (code points, not words, so Japanese is measured fairly)`,
    properties: {
      minChars: { type: 'integer', minimum: 0, default: min },
      maxChars: { type: 'integer', minimum: 1, default: max },
    },
  }) as const;

/** JSON Schema of {@link FilterConfig}. */
const filtersSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  properties: {
    instruction: range(8, 600, 'Instruction'),
    output: range(1, 8000, 'Output'),
    blocklist: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: [...DEFAULT_BLOCKLIST],
      description:
        'Instructions mentioning these (asking for what a text model cannot do: see an image, draw, play audio …) are filtered; ASCII words match whole words',
    },
    blocklistExceptions: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: [...DEFAULT_BLOCKLIST_EXCEPTIONS],
      description: 'Words ignored by the blocklist (意図 is not 図)',
    },
    copySimilarity: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: 0.9,
      description:
        'Instruction+input at least this similar (character-bigram Dice, 0–1) to a few-shot example is a copy',
    },
    language: {
      type: 'boolean',
      default: true,
      description:
        "Filter examples not in the category's language (a ja category's must be Japanese, an en one's not)",
    },
    foreignOutputWords: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: [...DEFAULT_FOREIGN_OUTPUT_WORDS],
      description:
        'Words in a ja instruction that ask for an answer in another language (英訳, 翻訳 …); such outputs are not language-checked',
    },
    metaTalk: {
      type: 'array',
      items: { type: 'string', minLength: 1, format: 'regex' },
      default: [...DEFAULT_META_TALK],
      description:
        'Regular expressions (case-insensitive, after NFKC) of assistant talk ("Understood. Here is", 承知しました) that an instruction or output must not open with; [] turns the filter off',
    },
    refusals: {
      type: 'array',
      items: { type: 'string', minLength: 1, format: 'regex' },
      default: [...DEFAULT_REFUSALS],
      description:
        'Regular expressions (case-insensitive, after NFKC) of a refusal ("As an AI language model") that an output must not contain; [] turns the filter off',
    },
  },
} as const satisfies ConfigSchema;

/** A schema type with its `default`s removed, at every level of `properties`. */
type WithoutDefaults<S> = S extends readonly unknown[]
  ? S
  : S extends object
    ? {
        [K in keyof S as K extends 'default' ? never : K]: K extends 'properties'
          ? { [P in keyof S[K]]: WithoutDefaults<S[K][P]> }
          : S[K];
      }
    : S;

/** The same schema with no defaults: an override sets only what it names. */
function withoutDefaults<S>(schema: S): WithoutDefaults<S> {
  return stripDefaults(schema) as WithoutDefaults<S>;
}

function stripDefaults(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'default') continue;
    out[key] =
      key === 'properties' && value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([name, s]) => [name, stripDefaults(s)]))
        : value;
  }
  return out;
}

/** JSON Schema of {@link GeneratorConfig}. */
export const generatorConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    k: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_K,
      default: 8,
      description: 'Examples asked for per task when the task has no data.k',
    },
    llm: llmSettingsSchema,
    params: samplingParamsSchema(
      { temperature: 0.9, top_p: 0.95, max_tokens: 4096 },
      'Sampling; Self-Instruct/Alpaca used temperature 0.7–1.0',
    ),
    templates: templatesConfigSchema,
    seedPerTask: {
      type: 'boolean',
      default: true,
      description:
        'Send a sampling seed derived from the task id, so equal prompts of different tasks get different replies and a retried task the same one',
    },
    maxInvalidRetries: maxInvalidRetriesSchema(
      'Re-asks after a reply that is not the JSON asked for, before the fallback',
    ),
    fallback: {
      type: 'boolean',
      default: true,
      description:
        'When the reply still fails the schema, ask once more without structured output and read the reply as JSON, cut-off JSON or a numbered list',
    },
    filters: filtersSchema,
    filtersByCategory: {
      type: 'object',
      default: {},
      description:
        'Filter settings for single categories, by category id, over `filters` (e.g. a blocklist without "file" and "map" for a coding category)',
      additionalProperties: withoutDefaults(filtersSchema),
    },
  },
} as const satisfies ConfigSchema;
