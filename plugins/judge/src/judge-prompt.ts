import type { Example } from '@tane/core';
import {
  type BuiltInTemplates,
  buildPromptMessages,
  CATEGORY_TEMPLATE_VARIABLES,
  categoryTemplateValues,
  type PromptLang,
  type PromptMessage,
  type PromptTemplate,
  promptExample,
} from '@tane/prompt-kit';
import type { Thresholds } from './judge-config.ts';

/** The placeholders a judge template may use. */
export const JUDGE_TEMPLATE_VARIABLES = [
  ...CATEGORY_TEMPLATE_VARIABLES,
  'thresholds.accept',
  'thresholds.repair',
] as const;

/** The built-in judge templates, `templates/judge.ja.md` and `templates/judge.en.md`. */
export const JUDGE_TEMPLATES: BuiltInTemplates = {
  name: 'judge',
  dir: new URL('../templates/', import.meta.url),
  variables: JUDGE_TEMPLATE_VARIABLES,
};

export interface JudgePromptInput {
  template: PromptTemplate;
  lang: PromptLang;
  category: { id: string; name: string; description: string };
  example: Example;
  rubric: readonly string[];
  thresholds: Thresholds;
  /** Per-category text appended to the user message. */
  extra?: string | undefined;
}

/**
 * The rubric for a category: the category's own criteria (`rubric.criteria`)
 * or the default of its language, then the category's extra criteria.
 */
export function rubricFor(
  defaults: readonly string[],
  category: { rubricCriteria?: string[] | undefined; rubricExtra: readonly string[] },
): string[] {
  const base = category.rubricCriteria ?? defaults;
  return [...new Set([...base, ...category.rubricExtra])];
}

/**
 * Builds the judge prompt: markers and the template's system text, then the
 * template's instructions and a fenced JSON payload `{example, rubric}`.
 *
 * @example
 * ```ts
 * const messages = buildJudgeMessages({ template, lang: 'ja', category, example: record.data,
 *   rubric: rubricFor(config.rubric.ja, settings), thresholds: { accept: 4, repair: 2 } });
 * ```
 */
export function buildJudgeMessages(input: JudgePromptInput): PromptMessage[] {
  const { template, lang, category } = input;
  return buildPromptMessages({
    template,
    markers: { task: 'judge', lang, category: category.id },
    values: {
      ...categoryTemplateValues(lang, category),
      'thresholds.accept': input.thresholds.accept,
      'thresholds.repair': input.thresholds.repair,
    },
    extra: input.extra,
    payload: { example: promptExample(input.example), rubric: input.rubric },
  });
}
