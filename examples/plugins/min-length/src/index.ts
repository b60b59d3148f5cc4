import { definePlugin, ENGINE_API, type Example, TaneError } from '@tane/core';
import pkg from '../package.json' with { type: 'json' };

export interface MinLengthConfig {
  /** Minimum output length in characters (not words: this works for Japanese too). */
  minChars: number;
}

/**
 * Sends candidates whose output is shorter than `minChars` characters to
 * `short`, the others to `ok`.
 */
export default definePlugin<MinLengthConfig>({
  name: pkg.name,
  version: pkg.version,
  engineApi: ENGINE_API,
  summary: 'Routes candidates with a too-short output to `short`',
  description: 'Counts characters of the output (after trimming) and compares them with `minChars`.',
  examples: [{ title: 'At least 20 characters', config: { minChars: 20 } }],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      minChars: {
        type: 'integer',
        minimum: 1,
        default: 10,
        description: 'minimum output length in characters',
      },
    },
  },
  routes: [
    { name: 'ok', description: 'long enough' },
    { name: 'short', description: 'output shorter than minChars; meta.outcome says why' },
  ],
  accepts: ['candidate'],
  create: (config) => ({
    kind: 'handler',
    concurrency: 64,
    async handle(record, ctx) {
      const data = record.data as Partial<Example>;
      if (typeof data.output !== 'string') {
        throw new TaneError('INPUT_INVALID', `record ${record.id} has no output`, {
          hint: 'feed this stage candidate records',
        });
      }
      const length = [...data.output.trim()].length;
      if (length >= config.minChars) return { route: 'ok', record };
      return {
        route: 'short',
        record: {
          ...record,
          meta: {
            ...record.meta,
            outcome: {
              status: 'rejected',
              reason: 'filter',
              detail: `output ${length} < ${config.minChars} chars`,
              stage: ctx.stage,
            },
          },
        },
      };
    },
  }),
});
