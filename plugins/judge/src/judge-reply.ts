/** A verdict, from the model or from the thresholds. */
export type Verdict = 'accept' | 'repair' | 'reject';

/** The judge reply of the LLM contract. */
export interface JudgeReply {
  score: number;
  verdict: Verdict;
  reasons: string[];
  criteria: Record<string, number>;
}

/** JSON Schema of the judge reply (`chatJson` validates it with ajv). */
export const judgeReplySchema = {
  type: 'object',
  required: ['score', 'verdict', 'reasons', 'criteria'],
  properties: {
    score: { type: 'integer', minimum: 1, maximum: 5 },
    verdict: { enum: ['accept', 'repair', 'reject'] },
    reasons: { type: 'array', minItems: 1, items: { type: 'string' } },
    criteria: { type: 'object', additionalProperties: { type: 'integer', minimum: 1, maximum: 5 } },
  },
} as const;
