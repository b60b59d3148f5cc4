import { contentId } from '@tane/core';
import { describe, expect, it } from 'vitest';
import type { CategorySet, CategorySettings } from './category-set.ts';
import { planTasks } from './plan-tasks.ts';

function category(id: string, target: number, weight = 1): CategorySettings {
  return { id, name: id, description: `${id} tasks`, language: 'ja', target, weight };
}

const categories: CategorySet = {
  version: 1,
  language: 'ja',
  categories: [category('email-reply', 50), category('keigo-rewrite', 50), category('sql-query', 10)],
};

function countBy(records: { category: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.category] = (out[r.category] ?? 0) + 1;
  return out;
}

describe('planTasks', () => {
  it('plans ceil(N / k) tasks per category with content ids and task data', () => {
    const tasks = planTasks({ categories, runId: 'run-1', perCategory: 50 });
    expect(countBy(tasks)).toEqual({ 'email-reply': 7, 'keigo-rewrite': 7, 'sql-query': 7 });
    const first = tasks.find((t) => t.category === 'sql-query' && t.data.index === 0);
    expect(first).toEqual({
      id: contentId('run-1', 'sql-query', 0),
      type: 'task',
      category: 'sql-query',
      data: { runId: 'run-1', index: 0, k: 8, round: 1 },
      meta: {},
      lineage: [],
      headers: {},
    });
    const indexes = tasks.filter((t) => t.category === 'email-reply').map((t) => t.data.index);
    expect(indexes).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('gives the same ids in the same order when run twice, and other ids for another run', () => {
    const a = planTasks({ categories, runId: 'run-1', perCategory: 40, k: 5 });
    const b = planTasks({ categories, runId: 'run-1', perCategory: 40, k: 5 });
    expect(b).toEqual(a);
    expect(new Set(a.map((t) => t.id)).size).toBe(a.length);
    const other = planTasks({ categories, runId: 'run-2', perCategory: 40, k: 5 });
    expect(other.some((t) => a.some((u) => u.id === t.id))).toBe(false);
  });

  it('interleaves categories instead of planning one after the other', () => {
    const tasks = planTasks({ categories, runId: 'run-1', perCategory: 16 });
    expect(tasks.slice(0, 3).map((t) => t.category)).toEqual(['email-reply', 'keigo-rewrite', 'sql-query']);
  });

  it('tops up only the shortfall, continuing the indexes after what was already planned', () => {
    const tasks = planTasks({
      categories,
      runId: 'run-1',
      untilAccepted: 50,
      accepted: { 'email-reply': 50, 'keigo-rewrite': 26, 'sql-query': 60 },
      alreadyPlanned: { 'email-reply': 11, 'keigo-rewrite': 11, 'sql-query': 3 },
      k: 8,
      expectedYield: 0.5,
    });
    // keigo-rewrite lacks 24 accepted: 24 / 0.5 = 48 generated = 6 tasks of 8.
    expect(countBy(tasks)).toEqual({ 'keigo-rewrite': 6 });
    expect(tasks.map((t) => t.data.index)).toEqual([11, 12, 13, 14, 15, 16]);
    expect(tasks.map((t) => t.id)).toEqual(
      [11, 12, 13, 14, 15, 16].map((i) => contentId('run-1', 'keigo-rewrite', i)),
    );
  });

  it('plans nothing once every category has what it needs', () => {
    const tasks = planTasks({
      categories,
      runId: 'run-1',
      untilAccepted: 10,
      accepted: { 'email-reply': 10, 'keigo-rewrite': 12, 'sql-query': 10 },
    });
    expect(tasks).toEqual([]);
  });

  it('tops up to each category’s own target without untilAccepted', () => {
    const tasks = planTasks({ categories, runId: 'r', accepted: { 'email-reply': 26 }, expectedYield: 1 });
    // email-reply lacks 24 (3 tasks), keigo-rewrite 50 (7 tasks), sql-query 10 (2 tasks).
    expect(countBy(tasks)).toEqual({ 'email-reply': 3, 'keigo-rewrite': 7, 'sql-query': 2 });
  });

  it('gives a heavier category a larger share of the new work', () => {
    const weighted: CategorySet = {
      ...categories,
      categories: [category('light', 100, 0.5), category('normal', 100), category('heavy', 100, 2)],
    };
    const tasks = planTasks({ categories: weighted, runId: 'r', untilAccepted: 80, k: 10, expectedYield: 1 });
    expect(countBy(tasks)).toEqual({ light: 4, normal: 8, heavy: 16 });
  });

  it('does not over-plan because of floating point', () => {
    // 9 / (0.3 × 3) is exactly 10 tasks, but 10.000000000000002 in floating point.
    const tasks = planTasks({ categories, runId: 'r', untilAccepted: 9, k: 3, expectedYield: 0.3 });
    expect(countBy(tasks)).toEqual({ 'email-reply': 10, 'keigo-rewrite': 10, 'sql-query': 10 });
  });

  it('rejects contradictory or out-of-range options with USAGE', () => {
    expect(() => planTasks({ categories, runId: 'r', perCategory: 1, untilAccepted: 1 })).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    expect(() => planTasks({ categories, runId: 'r', perCategory: -1 })).toThrow(/perCategory/);
    expect(() => planTasks({ categories, runId: 'r', perCategory: 1, k: 0 })).toThrow(/k must be/);
    expect(() => planTasks({ categories, runId: 'r', expectedYield: 0 })).toThrow(/expectedYield/);
    expect(() => planTasks({ categories, runId: '', perCategory: 1 })).toThrow(/runId/);
  });
});
