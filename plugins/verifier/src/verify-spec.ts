import type { ConfigFromSchema, ConfigSchema } from '@tane/core';

/**
 * The checks declared for one category, as written under `verify:` in
 * `categories.yaml` (or under `categories.<id>` in the stage config); derived from
 * {@link verifySpecSchema}.
 *
 * @example
 * ```yaml
 * - id: sql-query
 *   verify: { sql: true, lang: ja }
 * - id: translation-ja-en
 *   verify: { lang: en, length: { min: 1 } }
 * ```
 */
export type VerifySpec = ConfigFromSchema<typeof verifySpecSchema>;

/** The options of a check that is on with `true` or with an object of options. */
type Options<T> = Exclude<T, boolean | undefined>;
export type SqlSpec = Options<VerifySpec['sql']>;
export type JsonSpec = Options<VerifySpec['json']>;
export type LengthSpec = NonNullable<VerifySpec['length']>;
export type RegexSpec = NonNullable<VerifySpec['regex']>;

const onOrOptions = <P extends Record<string, ConfigSchema>>(options: P) =>
  ({
    oneOf: [{ type: 'boolean' }, { type: 'object', additionalProperties: false, properties: options }],
  }) as const;

/** JSON Schema of a {@link VerifySpec}. */
export const verifySpecSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sql: onOrOptions({
      compareExpected: {
        type: 'boolean',
        description:
          'Require the result to equal the rows after `expected:` / `期待する結果:` in the input, when given (default true)',
      },
      required: {
        type: 'boolean',
        description:
          'An answer without a query fails (default true); false: such answers are skipped (mixed coding categories)',
      },
    }),
    arithmetic: { type: 'boolean' },
    json: onOrOptions({
      requiredKeys: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        description: 'Top-level keys the object must have (besides those the instruction names)',
      },
      schema: { type: 'object', description: 'A JSON Schema the parsed output must match' },
      keysFromInstruction: {
        type: 'boolean',
        description:
          'Take the keys the instruction lists ("with the keys a, b and c", "キーは a, b") as required (default true)',
      },
    }),
    formula: { type: 'boolean' },
    lang: {
      type: 'string',
      pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$',
      description: 'The language the output must be in (en, ja)',
    },
    length: {
      type: 'object',
      additionalProperties: false,
      properties: { min: { type: 'integer', minimum: 0 }, max: { type: 'integer', minimum: 1 } },
    },
    regex: {
      type: 'object',
      additionalProperties: false,
      properties: {
        required: { type: 'array', items: { type: 'string', minLength: 1 } },
        forbidden: { type: 'array', items: { type: 'string', minLength: 1 } },
      },
    },
  },
} as const satisfies ConfigSchema;
