import { isAbsolute, resolve } from 'node:path';
import type { PromptLang } from './category-settings.ts';
import { loadPromptTemplate, type PromptTemplate } from './prompt-template.ts';

/**
 * The templates of one stage: the built-in (or configured) one per language,
 * loaded when the stage is created, and per-category overrides, loaded on first
 * use and kept.
 */
export class PromptTemplates {
  private readonly overrides = new Map<string, PromptTemplate>();

  constructor(
    private readonly defaults: Readonly<Record<PromptLang, PromptTemplate>>,
    private readonly baseDir: string,
    private readonly variables: readonly string[],
  ) {}

  /** The template for a category: its override (a path relative to the pipeline folder) or the default. */
  pick(lang: PromptLang, overridePath: string | undefined): PromptTemplate {
    if (!overridePath) return this.defaults[lang];
    const path = isAbsolute(overridePath) ? overridePath : resolve(this.baseDir, overridePath);
    let t = this.overrides.get(path);
    if (!t) {
      t = loadPromptTemplate(path, this.variables, overridePath);
      this.overrides.set(path, t);
    }
    return t;
  }
}

/**
 * Loads the default template of each language: the configured path (relative
 * to the pipeline folder) or the built-in file in this package's `templates/`.
 */
export function loadDefaultTemplates(
  name: string,
  configured: Partial<Record<PromptLang, string>>,
  baseDir: string,
  variables: readonly string[],
): Record<PromptLang, PromptTemplate> {
  const load = (lang: PromptLang): PromptTemplate => {
    const path = configured[lang];
    if (path) return loadPromptTemplate(resolve(baseDir, path), variables, path);
    return loadPromptTemplate(
      new URL(`../templates/${name}.${lang}.md`, import.meta.url),
      variables,
      `built-in:${name}.${lang}.md`,
    );
  };
  return { ja: load('ja'), en: load('en') };
}
