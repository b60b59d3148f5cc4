import type { Example, TaneRecord } from '@tane/core';

/** What {@link candidateRecord} builds a record from. */
export interface CandidateRecordInit {
  id: string;
  /** The category settings the category-router put in `meta.category`; `id` is the record's category. */
  category: { id: string } & Record<string, unknown>;
  data: Example;
  /** The task the generator made it from (`meta.generation.taskId`); without it there is no `meta.generation`. */
  taskId?: string;
  /** More `meta` (e.g. `judge`, `repairs`), over the category and generation. */
  meta?: Record<string, unknown>;
}

/**
 * A `candidate` record as it reaches the judge or the repairer: the
 * generator's output with the category settings in `meta.category`.
 *
 * @example
 * ```ts
 * const r = candidateRecord({ id: 'c-1', category: { id: 'meeting-minutes', language: 'ja' }, data, taskId: 'task-1' });
 * r.meta; // { category: { id: 'meeting-minutes', language: 'ja' }, generation: { taskId: 'task-1' } }
 * ```
 */
export function candidateRecord(init: CandidateRecordInit): TaneRecord<Example> {
  return {
    id: init.id,
    type: 'candidate',
    category: init.category.id,
    data: init.data,
    meta: {
      category: init.category,
      ...(init.taskId === undefined ? {} : { generation: { taskId: init.taskId } }),
      ...init.meta,
    },
    lineage: [],
    headers: {},
  };
}
