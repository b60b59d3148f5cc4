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

/** The placeholders a generation template may use. */
export const GENERATE_TEMPLATE_VARIABLES = ['k', ...CATEGORY_TEMPLATE_VARIABLES] as const;

/** The built-in generation templates, `templates/generate.ja.md` and `templates/generate.en.md`. */
export const GENERATE_TEMPLATES: BuiltInTemplates = {
  name: 'generate',
  dir: new URL('../templates/', import.meta.url),
  variables: GENERATE_TEMPLATE_VARIABLES,
};

export interface GeneratePromptInput {
  template: PromptTemplate;
  lang: PromptLang;
  category: { id: string; name: string; description: string };
  /** How many new examples to ask for. */
  k: number;
  /** The few-shot examples, shown to the model as the payload. */
  examples: readonly Example[];
  /** Per-category text appended to the user message. */
  extra?: string | undefined;
}

/**
 * Builds the Self-Instruct generation prompt: a system message with the
 * markers and the template's system text, and a user message with the
 * template's instructions, the category's extra text and the few-shot
 * examples as a fenced JSON payload.
 *
 * @example
 * ```ts
 * const messages = buildGenerateMessages({ template, lang: 'ja', k: 8, examples: fewShot,
 *   category: { id: 'email-reply', name: 'ビジネスメール返信', description: '…' } });
 * ```
 */
export function buildGenerateMessages(input: GeneratePromptInput): PromptMessage[] {
  const { template, lang, category, k } = input;
  return buildPromptMessages({
    template,
    markers: { task: 'generate', lang, category: category.id, k },
    values: { k, ...categoryTemplateValues(lang, category) },
    extra: input.extra,
    payload: {
      category: { id: category.id, name: category.name, description: category.description },
      examples: input.examples.map(promptExample),
    },
  });
}
