import { contentId, type TaneRecord } from '@tane/core';

/**
 * A valid record for a test, with defaults for everything not given.
 *
 * @example
 * ```ts
 * const r = makeRecord({ category: 'email-reply', data: { instruction: '…', input: '', output: '…' } });
 * ```
 */
export function makeRecord<D = unknown>(init: Partial<TaneRecord<D>> & { data: D }): TaneRecord<D> {
  const category = init.category ?? 'test';
  return {
    id: init.id ?? contentId('test', category, JSON.stringify(init.data)),
    type: init.type ?? 'example',
    category,
    data: init.data,
    meta: init.meta ?? {},
    lineage: init.lineage ?? [],
    headers: init.headers ?? {},
  };
}
