import { TaneError } from '@tane/core';
import { type TestItem, textsOf } from './test-item.ts';

/**
 * Items of an llm-jp-eval preprocessed task file
 * (`{instruction, output_length, metrics, few_shots, samples: [{input, output}]}`):
 * one item per sample, id `samples[i]`; the few-shot examples too when
 * `includeFewShots` (they come from the training split, so not by default).
 *
 * @example
 * ```ts
 * const items = llmJpEvalTaskItems(JSON.parse(text), 'jcommonsenseqa', 'jcommonsenseqa.json');
 * items[0]?.id; // 'samples[0]'
 * ```
 */
export function llmJpEvalTaskItems(
  value: unknown,
  benchmark: string,
  path: string,
  includeFewShots = false,
): TestItem[] {
  const task = value as { samples?: unknown; few_shots?: unknown };
  if (!task || typeof task !== 'object' || !Array.isArray(task.samples)) {
    throw new TaneError('CONFIG_INVALID', 'not an llm-jp-eval task file: it has no `samples` array', {
      where: path,
      hint: 'point at a preprocessed task file (evaluation/test/<task>.json), or set `format` for this test set',
    });
  }
  const items: TestItem[] = [];
  const add = (list: unknown[], key: string) => {
    list.forEach((sample, i) => {
      if (!sample || typeof sample !== 'object') return;
      const texts = textsOf(sample as Record<string, unknown>, ['input', 'output']);
      if (texts.length > 0) items.push({ benchmark, id: `${key}[${i}]`, texts });
    });
  };
  add(task.samples, 'samples');
  if (includeFewShots && Array.isArray(task.few_shots)) add(task.few_shots, 'few_shots');
  return items;
}
