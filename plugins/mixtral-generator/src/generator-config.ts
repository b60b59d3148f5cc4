import {
  DEFAULT_META_TALK,
  DEFAULT_REFUSALS,
  type LlmSettings,
  llmSettingsSchema,
  maxInvalidRetriesSchema,
  type SamplingParams,
  samplingParamsSchema,
  type TemplatesConfig,
  templatesConfigSchema,
} from '@tane/prompt-kit';
import type { FilterConfig } from './filters.ts';

/** The largest `k` one request may ask for: longer replies get cut by `max_tokens` and lose diversity. */
export const MAX_K = 20;

/** Sampling parameters sent with every request. */
export interface GenerationParams extends SamplingParams {
  /** Present when `seedPerTask` is on. */
  seed?: number;
}

export { DEFAULT_META_TALK, DEFAULT_REFUSALS };

/** Config of the generator stage, with defaults applied. */
export interface GeneratorConfig {
  /** Examples per request when the task has no `data.k`. */
  k: number;
  llm: LlmSettings;
  params: GenerationParams;
  /** Replace the built-in templates (paths relative to the pipeline folder). */
  templates: TemplatesConfig;
  /**
   * Send a `seed` derived from the task id: tasks with the same few-shot
   * examples then get different replies (and cache entries), and a retried
   * task gets the same one.
   */
  seedPerTask: boolean;
  /** Re-asks after a reply that fails the schema, before the fallback. */
  maxInvalidRetries: number;
  /**
   * When the reply still fails the schema: ask once more without structured
   * output and read that reply as JSON, cut-off JSON or a numbered list.
   */
  fallback: boolean;
  filters: FilterConfig;
  /** Per category id: filter settings over `filters` (only the keys given). */
  filtersByCategory: Record<string, FilterOverride>;
}

/** Filter settings for one category: any subset of {@link FilterConfig}. */
export type FilterOverride = Partial<Omit<FilterConfig, 'instruction' | 'output'>> & {
  instruction?: Partial<FilterConfig['instruction']>;
  output?: Partial<FilterConfig['output']>;
};

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

const range = (min: number, max: number, what: string) => ({
  type: 'object',
  default: {},
  additionalProperties: false,
  description: `${what} length in characters (code points)`,
  properties: {
    minChars: { type: 'integer', minimum: 0, default: min },
    maxChars: { type: 'integer', minimum: 1, default: max },
  },
});

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
      description: 'Instructions mentioning these are filtered (ASCII words match whole words)',
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
      description: 'Instruction+input at least this similar to a few-shot example is a copy',
    },
    language: {
      type: 'boolean',
      default: true,
      description: 'Filter examples not in the category language',
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
        'Regular expressions of assistant talk ("Understood. Here is", 承知しました) that an instruction or output must not open with; [] turns the filter off',
    },
    refusals: {
      type: 'array',
      items: { type: 'string', minLength: 1, format: 'regex' },
      default: [...DEFAULT_REFUSALS],
      description:
        'Regular expressions of a refusal ("As an AI language model") that an output must not contain; [] turns the filter off',
    },
  },
};

/** The same schema with no defaults: an override sets only what it names. */
function withoutDefaults(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'default') continue;
    out[key] =
      key === 'properties' && value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([name, s]) => [name, withoutDefaults(s)]))
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
} as const;
