import type { Example } from '@tane/core';
import type { PromptLang } from './category-settings.ts';
import type { Thresholds } from './judge-config.ts';
import { type PromptMessage, promptMarkers, withJsonPayload } from './prompt-markers.ts';
import { type PromptTemplate, renderTemplateText } from './prompt-template.ts';

/** The placeholders a judge template may use. */
export const JUDGE_TEMPLATE_VARIABLES = [
  'language',
  'category.id',
  'category.name',
  'category.description',
  'thresholds.accept',
  'thresholds.repair',
] as const;

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
  const values = {
    language: lang === 'ja' ? '日本語' : 'English',
    'category.id': category.id,
    'category.name': category.name,
    'category.description': category.description,
    'thresholds.accept': input.thresholds.accept,
    'thresholds.repair': input.thresholds.repair,
  };
  const markers = promptMarkers({ task: 'judge', lang, category: category.id });
  const system = renderTemplateText(template.system, values).trim();
  const payload = {
    example: {
      instruction: input.example.instruction,
      input: input.example.input ?? '',
      output: input.example.output,
    },
    rubric: input.rubric,
  };
  return [
    { role: 'system', content: system ? `${markers}\n\n${system}` : markers },
    {
      role: 'user',
      content: withJsonPayload(renderTemplateText(template.user, values), input.extra, payload),
    },
  ];
}
