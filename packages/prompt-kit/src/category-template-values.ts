import { type PromptLang, promptLanguageName } from './prompt-lang.ts';

/** The placeholders every model-facing template may use: the prompt language and the category. */
export const CATEGORY_TEMPLATE_VARIABLES = [
  'language',
  'category.id',
  'category.name',
  'category.description',
] as const;

/**
 * The values of {@link CATEGORY_TEMPLATE_VARIABLES} for one category.
 *
 * @example
 * ```ts
 * const values = { k: 8, ...categoryTemplateValues('ja', { id: 'email-reply', name: 'メール返信', description: '…' }) };
 * renderTemplateText('{{category.name}}を{{language}}で{{k}}件', values); // 'メール返信を日本語で8件'
 * ```
 */
export function categoryTemplateValues(
  lang: PromptLang,
  category: { id: string; name: string; description: string },
): Record<(typeof CATEGORY_TEMPLATE_VARIABLES)[number], string> {
  return {
    language: promptLanguageName(lang),
    'category.id': category.id,
    'category.name': category.name,
    'category.description': category.description,
  };
}
