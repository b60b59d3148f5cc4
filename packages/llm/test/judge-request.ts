import type { ChatMessage, JsonChatRequest } from '../src/index.ts';

/** The judge reply shape of the LLM contract. */
export interface Judgement {
  score: number;
  verdict: 'accept' | 'repair' | 'reject';
  reasons: string[];
  criteria: Record<string, number>;
}

export const JUDGE_SCHEMA = {
  type: 'object',
  required: ['score', 'verdict', 'reasons', 'criteria'],
  properties: {
    score: { type: 'integer', minimum: 1, maximum: 5 },
    verdict: { enum: ['accept', 'repair', 'reject'] },
    reasons: { type: 'array', items: { type: 'string' } },
    criteria: { type: 'object', additionalProperties: { type: 'integer', minimum: 1, maximum: 5 } },
  },
};

/** Messages of a judge call on a distinct example `i`, with the markers llm-sim reads. */
export function judgeMessages(i: number, lang: 'ja' | 'en' = 'ja'): ChatMessage[] {
  const example =
    lang === 'ja'
      ? {
          instruction: `次の文を要約してください。(${i})`,
          input: `会議は${i}時に始まり、予算案が承認された。`,
          output: `${i}時開始の会議で予算案が承認された。`,
        }
      : {
          instruction: `Summarize the text (${i}).`,
          input: `The meeting started at ${i} and approved the budget.`,
          output: 'The budget was approved.',
        };
  return [
    {
      role: 'system',
      content: `You are a strict judge.\ntane-task: judge\ntane-lang: ${lang}\ntane-category: summary`,
    },
    {
      role: 'user',
      content: `Judge this example.\n\`\`\`json\n${JSON.stringify({ example, rubric: ['accuracy', 'fluency'] })}\n\`\`\``,
    },
  ];
}

/** A chatJson request for a judge call on example `i`. */
export function judgeRequest(
  i: number,
  extra: Partial<JsonChatRequest<Judgement>> = {},
): JsonChatRequest<Judgement> {
  return {
    plugin: '@tane/plugin-judge@0.1.0',
    category: 'summary',
    messages: judgeMessages(i),
    schema: JUDGE_SCHEMA,
    schemaName: 'judgement',
    ...extra,
  };
}
