import type { Example } from '@tane/core';
import type { PromptLang } from './category-settings.ts';
import { type PromptMessage, promptMarkers, withJsonPayload } from './prompt-markers.ts';
import { type PromptTemplate, renderTemplateText } from './prompt-template.ts';

/** The placeholders a generation template may use. */
export const GENERATE_TEMPLATE_VARIABLES = [
  'k',
  'language',
  'category.id',
  'category.name',
  'category.description',
] as const;

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
  const values = {
    k,
    language: lang === 'ja' ? '日本語' : 'English',
    'category.id': category.id,
    'category.name': category.name,
    'category.description': category.description,
  };
  const markers = promptMarkers({ task: 'generate', lang, category: category.id, k });
  const system = renderTemplateText(template.system, values).trim();
  const payload = {
    category: { id: category.id, name: category.name, description: category.description },
    examples: input.examples.map((e) => ({
      instruction: e.instruction,
      input: e.input ?? '',
      output: e.output,
    })),
  };
  return [
    { role: 'system', content: system ? `${markers}\n\n${system}` : markers },
    {
      role: 'user',
      content: withJsonPayload(renderTemplateText(template.user, values), input.extra, payload),
    },
  ];
}
