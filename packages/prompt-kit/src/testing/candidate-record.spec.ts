import { describe, expect, it } from 'vitest';
import { candidateRecord } from './candidate-record.ts';

const data = { instruction: 'i', input: '', output: 'o' };

describe('candidateRecord', () => {
  it('makes a candidate of the category, with the category settings and the task in meta', () => {
    const category = { id: 'meeting-minutes', language: 'ja' };
    expect(candidateRecord({ id: 'c-1', category, data, taskId: 'task-1' })).toEqual({
      id: 'c-1',
      type: 'candidate',
      category: 'meeting-minutes',
      data,
      meta: { category, generation: { taskId: 'task-1' } },
      lineage: [],
      headers: {},
    });
  });

  it('leaves out meta.generation without a task and lets meta add to or replace what it set', () => {
    const r = candidateRecord({
      id: 'c-2',
      category: { id: 'a' },
      data,
      meta: { judge: { score: 2 }, category: { id: 'a', model: { name: 'qwen' } } },
    });
    expect(r.meta).toEqual({ category: { id: 'a', model: { name: 'qwen' } }, judge: { score: 2 } });
    expect(r.category).toBe('a');
  });
});
