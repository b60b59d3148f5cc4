import type { JsonSchema } from '@tane/core';
import { type VerifySpec, verifySpecSchema } from './verify-spec.ts';

/** Config of the verifier stage (after schema defaults are applied). */
export interface VerifierConfig {
  /** Checks per category id, added to (and overriding) what `meta.category.verify` declares. */
  categories: Record<string, VerifySpec>;
  /** Checks for every category (overridden per category). */
  defaults: VerifySpec;
  /** Read the checks the category router puts in `meta.category.verify` (default true). */
  fromCategories: boolean;
}

export const verifierConfigSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    categories: {
      type: 'object',
      additionalProperties: verifySpecSchema,
      default: {},
      description: 'Checks per category id; usually declared under `verify:` in categories.yaml instead.',
    },
    defaults: { ...verifySpecSchema, default: {}, description: 'Checks for every category.' },
    fromCategories: {
      type: 'boolean',
      default: true,
      description: 'Read the checks from meta.category.verify (categories.yaml, via the category router).',
    },
  },
};
