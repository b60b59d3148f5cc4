import type { ConfigFromSchema, ConfigSchema } from '@tane/core';

/** The category-router's stage config, after schema defaults are applied (derived from its schema). */
export type CategoryRouterConfig = ConfigFromSchema<typeof categoryRouterConfigSchema>;

/** JSON Schema of {@link CategoryRouterConfig}. */
export const categoryRouterConfigSchema = {
  type: 'object',
  required: ['categories'],
  additionalProperties: false,
  properties: {
    categories: {
      type: 'string',
      minLength: 1,
      description: "Path to the categories file (YAML), relative to the pipeline file's folder.",
    },
    quota: {
      type: 'object',
      default: {},
      additionalProperties: false,
      description: 'Closed-loop quotas: stop sending work to a category that has reached its target.',
      properties: {
        enabled: {
          type: 'boolean',
          default: true,
          description: 'Route tasks of a category whose target is reached to `quota_reached`.',
        },
        topic: {
          type: 'string',
          minLength: 1,
          default: 'dataset',
          description: 'Logical topic of accepted examples, counted per category (distinct ids).',
        },
        target: {
          type: 'integer',
          minimum: 1,
          description:
            "Accepted examples per category, over every category's target in the categories file (what `tane demo --target` sets).",
        },
      },
    },
  },
} as const satisfies ConfigSchema;
