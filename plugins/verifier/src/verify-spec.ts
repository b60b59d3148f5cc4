import type { JsonSchema } from '@tane/core';
import type { JsonSpec } from './checks/json-check.ts';
import type { LengthSpec } from './checks/length-check.ts';
import type { RegexSpec } from './checks/regex-check.ts';
import type { SqlSpec } from './checks/sql-check.ts';

/**
 * The checks declared for one category, as written under `verify:` in
 * `categories.yaml` (or under `categories.<id>` in the stage config).
 *
 * @example
 * ```yaml
 * - id: sql-query
 *   verify: { sql: true, lang: ja }
 * - id: translation-ja-en
 *   verify: { lang: en, length: { min: 1 } }
 * ```
 */
export interface VerifySpec {
  sql?: boolean | SqlSpec;
  arithmetic?: boolean;
  json?: boolean | JsonSpec;
  formula?: boolean;
  /** The language the output must be in (`en`, `ja`). */
  lang?: string;
  length?: LengthSpec;
  regex?: RegexSpec;
}

const onOrOptions = (options: Record<string, unknown>): JsonSchema => ({
  oneOf: [{ type: 'boolean' }, { type: 'object', additionalProperties: false, properties: options }],
});

/** JSON Schema of a {@link VerifySpec}. */
export const verifySpecSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sql: onOrOptions({ compareExpected: { type: 'boolean' }, required: { type: 'boolean' } }),
    arithmetic: { type: 'boolean' },
    json: onOrOptions({
      requiredKeys: { type: 'array', items: { type: 'string', minLength: 1 } },
      schema: { type: 'object' },
      keysFromInstruction: { type: 'boolean' },
    }),
    formula: { type: 'boolean' },
    lang: { type: 'string', pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' },
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
};
