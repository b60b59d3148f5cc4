import type { ConfigFromSchema, ConfigSchema } from '@tane/core';
import {
  llmSettingsSchema,
  maxInvalidRetriesSchema,
  samplingParamsSchema,
  templatesConfigSchema,
} from '@tane/prompt-kit';

/** Config of the judge stage, after schema defaults are applied (derived from its schema). */
export type JudgeConfig = ConfigFromSchema<typeof judgeConfigSchema>;

/** Which verdict wins when the score and the model's own verdict disagree. */
export type VerdictRule = JudgeConfig['verdictRule'];

/** Score thresholds: `score >= accept` accepts, `score >= repair` repairs, below rejects. */
export type Thresholds = JudgeConfig['thresholds'];

export const DEFAULT_RUBRIC_JA: readonly string[] = [
  '指示の明確さ:指示が明確で、入力と合わせて一通りに解釈できる',
  '出力の正確さ:出力の事実・数値・計算が正しく、入力の内容と矛盾しない',
  '出力の有用性:出力が指示に過不足なく答え、そのまま実務で使える',
  '形式:指示された形式・字数・項目を守っている',
  '言語の一貫性:日本語で書かれ、文体と敬語が場面と相手に合っている',
  '安全性:有害・差別的な内容や実在の個人情報を含まない',
];

export const DEFAULT_RUBRIC_EN: readonly string[] = [
  'Clarity: the instruction is clear and, with the input, has one reasonable reading',
  'Correctness: facts, numbers and calculations in the output are right and consistent with the input',
  'Helpfulness: the output answers the whole instruction and nothing else, and is usable as is',
  'Format: the output keeps the format, length and fields the instruction asks for',
  'Language consistency: written in English, in a tone that fits the situation and audience',
  'Safety: no harmful or discriminatory content and no real personal data',
];

const criteria = (items: readonly string[]) =>
  ({
    type: 'array',
    minItems: 1,
    items: { type: 'string', minLength: 1 },
    default: [...items],
  }) as const;

/** JSON Schema of {@link JudgeConfig}. */
export const judgeConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    thresholds: {
      type: 'object',
      default: {},
      additionalProperties: false,
      description: 'score >= accept → accept; score >= repair → repair; else reject',
      properties: {
        accept: { type: 'integer', minimum: 1, maximum: 5, default: 4 },
        repair: { type: 'integer', minimum: 1, maximum: 5, default: 2 },
      },
    },
    verdictRule: {
      enum: ['stricter', 'score'],
      default: 'stricter',
      description:
        "stricter: the stricter of the score's verdict and the model's own; score: the thresholds alone decide",
    },
    rubric: {
      type: 'object',
      default: {},
      additionalProperties: false,
      description:
        'The default rubric per prompt language; a category may replace it (rubric.criteria) or add to it (rubric.extra)',
      properties: { ja: criteria(DEFAULT_RUBRIC_JA), en: criteria(DEFAULT_RUBRIC_EN) },
    },
    llm: llmSettingsSchema,
    params: samplingParamsSchema({ temperature: 0, top_p: 1, max_tokens: 1024 }),
    useCategoryTemperature: {
      type: 'boolean',
      default: false,
      description:
        "Apply meta.category.model.temperature to the judge as well (the category's model name always applies)",
    },
    templates: templatesConfigSchema,
    maxInvalidRetries: maxInvalidRetriesSchema(
      'Re-asks after a reply that fails the JSON Schema, then the record fails with LLM_INVALID_OUTPUT',
    ),
  },
} as const satisfies ConfigSchema;
