import type { Example } from '@tane/core';

/** The repair reply of the LLM contract: the rewritten example. */
export type RepairReply = Example;

/** JSON Schema of the repair reply (`chatJson` validates it with ajv). */
export const repairReplySchema = {
  type: 'object',
  required: ['instruction', 'input', 'output'],
  properties: {
    instruction: { type: 'string', minLength: 1 },
    input: { type: 'string' },
    output: { type: 'string', minLength: 1 },
  },
} as const;
