/** The prompt languages the templates and the simulator markers know. */
export type PromptLang = 'ja' | 'en';

/**
 * The prompt language of a category's language tag: `ja`, `ja-JP` → `ja`;
 * every other tag uses the English prompts.
 *
 * @example
 * ```ts
 * promptLang('ja-JP'); // 'ja'
 * promptLang('de'); // 'en'
 * ```
 */
export function promptLang(language: string): PromptLang {
  return /^ja(?:-|$)/i.test(language) ? 'ja' : 'en';
}

/**
 * How `{{language}}` reads in a template: the language's own name, so a
 * template can say "write in {{language}}".
 *
 * @example
 * ```ts
 * promptLanguageName('ja'); // '日本語'
 * ```
 */
export function promptLanguageName(lang: PromptLang): string {
  return lang === 'ja' ? '日本語' : 'English';
}
