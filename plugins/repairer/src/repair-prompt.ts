import type { Example } from '@tane/core';
import type { PromptLang } from './category-settings.ts';
import { type PromptMessage, promptMarkers, withJsonPayload } from './prompt-markers.ts';
import { type PromptTemplate, renderTemplateText } from './prompt-template.ts';

/** The placeholders a repair template may use. */
export const REPAIR_TEMPLATE_VARIABLES = [
  'language',
  'category.id',
  'category.name',
  'category.description',
] as const;

/** What the judge said about the example (from `meta.judge`). */
export interface RepairFeedback {
  score: number;
  reasons: string[];
}

export interface RepairPromptInput {
  template: PromptTemplate;
  lang: PromptLang;
  category: { id: string; name: string; description: string };
  example: Example;
  feedback: RepairFeedback;
  /** Per-category text appended to the user message. */
  extra?: string | undefined;
}

/**
 * Builds the repair prompt: markers and the template's system text, then the
 * template's instructions and a fenced JSON payload `{example, feedback}`.
 *
 * @example
 * ```ts
 * const messages = buildRepairMessages({ template, lang: 'ja', category, example: record.data,
 *   feedback: { score: 2, reasons: ['出力が文の途中で途切れている'] } });
 * ```
 */
export function buildRepairMessages(input: RepairPromptInput): PromptMessage[] {
  const { template, lang, category } = input;
  const values = {
    language: lang === 'ja' ? '日本語' : 'English',
    'category.id': category.id,
    'category.name': category.name,
    'category.description': category.description,
  };
  const markers = promptMarkers({ task: 'repair', lang, category: category.id });
  const system = renderTemplateText(template.system, values).trim();
  const payload = {
    example: {
      instruction: input.example.instruction,
      input: input.example.input ?? '',
      output: input.example.output,
    },
    feedback: { score: input.feedback.score, reasons: input.feedback.reasons },
  };
  return [
    { role: 'system', content: system ? `${markers}\n\n${system}` : markers },
    {
      role: 'user',
      content: withJsonPayload(renderTemplateText(template.user, values), input.extra, payload),
    },
  ];
}
