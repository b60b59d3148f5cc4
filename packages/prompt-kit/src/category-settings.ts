import { TaneError, type TaneRecord } from '@tane/core';
import { type PromptLang, promptLang } from './prompt-lang.ts';

/** Which model-facing plugin reads the settings: per-task overrides are keyed by it. */
export type PromptTask = 'generate' | 'judge' | 'repair';

/**
 * What a model-facing stage needs from `meta.category` (set by the
 * category-router). The generator, judge and repairer read it the same way.
 */
export interface CategoryPromptSettings {
  id: string;
  name: string;
  description: string;
  /** The category's language tag as written (`ja`, `en-US`, …). */
  language: string;
  /** `ja` for Japanese tags, `en` for everything else. */
  lang: PromptLang;
  /** `meta.category.prompt.template` for this task, relative to the pipeline folder. */
  templatePath: string | undefined;
  /** `meta.category.prompt.extra` for this task, appended to the user message. */
  extra: string | undefined;
  /** `meta.category.model.name` (or `.model`): another model for this category. */
  modelName: string | undefined;
  /** `meta.category.model.temperature`. */
  temperature: number | undefined;
  /** `meta.category.rubric.criteria`: criteria that replace the judge's default rubric. */
  rubricCriteria: string[] | undefined;
  /** `meta.category.rubric.extra`: criteria the judge adds to its rubric. */
  rubricExtra: string[];
  /** `meta.category.rubric.thresholds`: the judge's score thresholds for this category. */
  thresholds: { accept?: number; repair?: number };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/**
 * A per-task value: a plain string applies to the generator only (the
 * generation prompt is what a category usually tunes); `{generate, judge,
 * repair}` sets each task separately.
 */
function perTask(value: unknown, task: PromptTask): string | undefined {
  if (typeof value === 'string') return task === 'generate' ? str(value) : undefined;
  if (isObject(value)) return str(value[task]);
  return undefined;
}

/**
 * Reads the category settings a record carries in `meta.category`.
 * Throws `INPUT_INVALID` when they are missing, because the prompt cannot be
 * built without the category's description and language.
 *
 * @example
 * ```ts
 * const category = readCategorySettings(record, 'judge', ctx.stage);
 * const template = templates.pick(category.lang, category.templatePath);
 * const client = clients.get(category.modelName);
 * ```
 */
export function readCategorySettings(
  record: TaneRecord,
  task: PromptTask,
  stage: string,
): CategoryPromptSettings {
  const c = record.meta.category;
  if (!isObject(c)) {
    throw new TaneError('INPUT_INVALID', `record ${record.id} has no meta.category`, {
      where: `stage ${stage}`,
      hint: 'put the category-router stage before this one: it sets meta.category from the categories file',
    });
  }
  const language = str(c.language) ?? 'ja';
  const prompt = isObject(c.prompt) ? c.prompt : {};
  const model = isObject(c.model) ? c.model : {};
  const temperature = model.temperature;
  const rubric = isObject(c.rubric) ? c.rubric : {};
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => str(x) !== undefined) : undefined;
  const rubricCriteria = strings(rubric.criteria);
  const rubricExtra = strings(rubric.extra) ?? [];
  const t = isObject(rubric.thresholds) ? rubric.thresholds : {};
  const thresholds: { accept?: number; repair?: number } = {};
  if (typeof t.accept === 'number') thresholds.accept = t.accept;
  if (typeof t.repair === 'number') thresholds.repair = t.repair;
  return {
    id: str(c.id) ?? record.category,
    name: str(c.name) ?? str(c.id) ?? record.category,
    description: str(c.description) ?? '',
    language,
    lang: promptLang(language),
    templatePath: perTask(prompt.template, task),
    extra: perTask(prompt.extra, task),
    modelName: str(model.name) ?? str(model.model),
    temperature: typeof temperature === 'number' && Number.isFinite(temperature) ? temperature : undefined,
    rubricCriteria: rubricCriteria && rubricCriteria.length > 0 ? rubricCriteria : undefined,
    rubricExtra,
    thresholds,
  };
}
