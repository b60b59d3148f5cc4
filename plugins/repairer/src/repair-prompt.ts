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

/** The placeholders a repair template may use. */
export const REPAIR_TEMPLATE_VARIABLES = CATEGORY_TEMPLATE_VARIABLES;

/** The built-in repair templates, `templates/repair.ja.md` and `templates/repair.en.md`. */
export const REPAIR_TEMPLATES: BuiltInTemplates = {
  name: 'repair',
  dir: new URL('../templates/', import.meta.url),
  variables: REPAIR_TEMPLATE_VARIABLES,
};

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
  return buildPromptMessages({
    template,
    markers: { task: 'repair', lang, category: category.id },
    values: categoryTemplateValues(lang, category),
    extra: input.extra,
    payload: {
      example: promptExample(input.example),
      feedback: { score: input.feedback.score, reasons: input.feedback.reasons },
    },
  });
}
