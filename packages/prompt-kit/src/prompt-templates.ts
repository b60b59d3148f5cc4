import { isAbsolute, resolve } from 'node:path';
import type { PromptLang } from './prompt-lang.ts';
import { loadPromptTemplate, type PromptTemplate } from './prompt-template.ts';

/**
 * A plugin's built-in templates, one file per prompt language
 * (`<dir>/<name>.ja.md`, `<dir>/<name>.en.md`), and the placeholders a
 * template of this kind may use.
 */
export interface BuiltInTemplates {
  /** File base name, e.g. `judge` for `judge.ja.md` and `judge.en.md`; also in the `built-in:` source label. */
  name: string;
  /** The plugin's template folder, e.g. `new URL('../templates/', import.meta.url)`. */
  dir: URL;
  /** Placeholder names; any other in a template fails when it is loaded. */
  variables: readonly string[];
}

/**
 * The templates of one stage: the built-in (or configured) one per language,
 * loaded when the stage is created, and per-category overrides, loaded on first
 * use and kept.
 *
 * @example
 * ```ts
 * const templates = new PromptTemplates(loadDefaultTemplates(JUDGE_TEMPLATES, config.templates, baseDir), baseDir, JUDGE_TEMPLATES.variables);
 * const template = templates.pick(category.lang, category.templatePath);
 * ```
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
 * to the pipeline folder) or the plugin's built-in file.
 *
 * @example
 * ```ts
 * const t = loadDefaultTemplates(
 *   { name: 'judge', dir: new URL('../templates/', import.meta.url), variables: ['language'] },
 *   { ja: 'prompts/judge.ja.md' }, // config.templates
 *   '/srv/pipelines/ja', // the pipeline folder
 * );
 * t.en.source; // 'built-in:judge.en.md'
 * ```
 */
export function loadDefaultTemplates(
  builtIn: BuiltInTemplates,
  configured: Partial<Record<PromptLang, string>>,
  baseDir: string,
): Record<PromptLang, PromptTemplate> {
  const { name, variables } = builtIn;
  // Without the trailing slash a URL base would drop its last segment.
  const dir = builtIn.dir.href.endsWith('/') ? builtIn.dir : new URL(`${builtIn.dir.href}/`);
  const load = (lang: PromptLang): PromptTemplate => {
    const path = configured[lang];
    if (path) return loadPromptTemplate(resolve(baseDir, path), variables, path);
    return loadPromptTemplate(new URL(`${name}.${lang}.md`, dir), variables, `built-in:${name}.${lang}.md`);
  };
  return { ja: load('ja'), en: load('en') };
}

/**
 * The templates of a stage in one call: the defaults of
 * {@link loadDefaultTemplates}, with per-category overrides resolved against
 * the same pipeline folder. Call it when the stage is created, so a broken
 * template fails the start, not the first record.
 *
 * @example
 * ```ts
 * const templates = loadStageTemplates(JUDGE_TEMPLATES, config.templates, setup.baseDir);
 * ```
 */
export function loadStageTemplates(
  builtIn: BuiltInTemplates,
  configured: Partial<Record<PromptLang, string>>,
  baseDir: string,
): PromptTemplates {
  return new PromptTemplates(loadDefaultTemplates(builtIn, configured, baseDir), baseDir, builtIn.variables);
}
