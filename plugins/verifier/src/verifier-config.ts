import type { ConfigFromSchema, ConfigSchema } from '@tane/core';
import { verifySpecSchema } from './verify-spec.ts';

/** Config of the verifier stage, after schema defaults are applied (derived from its schema). */
export type VerifierConfig = ConfigFromSchema<typeof verifierConfigSchema>;

/** JSON Schema of {@link VerifierConfig}. */
export const verifierConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    categories: {
      type: 'object',
      additionalProperties: verifySpecSchema,
      default: {},
      description:
        'Checks per category id, added to (and overriding) what meta.category.verify declares; usually declared under `verify:` in categories.yaml instead.',
    },
    defaults: {
      ...verifySpecSchema,
      default: {},
      description: 'Checks for every category (overridden per category).',
    },
    fromCategories: {
      type: 'boolean',
      default: true,
      description: 'Read the checks from meta.category.verify (categories.yaml, via the category router).',
    },
  },
} as const satisfies ConfigSchema;
