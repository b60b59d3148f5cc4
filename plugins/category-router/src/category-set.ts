/**
 * One task category: what to generate, how much of it, and the per-category
 * overrides the generator, judge and repairer read from `meta.category`.
 */
export interface CategorySettings {
  /** Kebab-case id; also the record `category` and the message key on every topic. */
  id: string;
  /** Human name, shown in reports and inserted into prompts. */
  name: string;
  /** What a good example of the category looks like; inserted into the generation and judge prompts. */
  description: string;
  /** Language of the examples (`ja`, `en`, `en-US`, …); defaults to the file's `language`. */
  language: string;
  /** Accepted examples wanted; the router stops sending work once the dataset holds this many. */
  target: number;
  /** Share of new work when topping up (default 1). */
  weight: number;
  /** Prompt overrides, passed through as written (e.g. `{template, extra}`). */
  prompt?: Record<string, unknown>;
  /** Rubric overrides, passed through as written (e.g. `{extra: [...], thresholds: {...}}`). */
  rubric?: Record<string, unknown>;
  /** Model overrides, passed through as written (e.g. `{model, temperature}`). */
  model?: Record<string, unknown>;
  /** Programmatic checks for the verifier stage, passed through as written (e.g. `{sql: true, lang: 'ja'}`). */
  verify?: Record<string, unknown>;
}

/** A parsed and validated categories file. */
export interface CategorySet {
  /** Format version of the file (1). */
  version: number;
  /** Default language of the set. */
  language: string;
  categories: CategorySettings[];
}

/** Lowercase letters and digits, separated by single hyphens (`email-reply`). */
export const CATEGORY_ID_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';

/** A BCP-47-like language tag: `ja`, `en`, `en-US`, `zh-Hant-TW`. */
export const LANGUAGE_TAG_PATTERN = '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$';

const languageTag = { type: 'string', pattern: LANGUAGE_TAG_PATTERN } as const;

/**
 * JSON Schema (draft-07) of a categories file. Unique ids are checked
 * separately, because JSON Schema cannot say "unique by key".
 */
export const categorySetSchema = {
  $id: 'https://tane.dev/schemas/categories.json',
  type: 'object',
  required: ['version', 'language', 'categories'],
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    language: languageTag,
    categories: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'name', 'description', 'target'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: CATEGORY_ID_PATTERN, maxLength: 128 },
          name: { type: 'string', minLength: 1 },
          description: { type: 'string', minLength: 1 },
          language: languageTag,
          target: { type: 'integer', minimum: 0 },
          weight: { type: 'number', exclusiveMinimum: 0 },
          prompt: { type: 'object' },
          rubric: { type: 'object' },
          model: { type: 'object' },
          verify: { type: 'object' },
        },
      },
    },
  },
} as const;
