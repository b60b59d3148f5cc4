import { describe, expect, it } from 'vitest';
import type { CategorySet } from './category-set.ts';
import { countPlanned } from './count-planned.ts';
import { planTasks } from './plan-tasks.ts';

const categories: CategorySet = {
  version: 1,
  language: 'en',
  categories: [
    { id: 'qa', name: 'QA', description: 'd', language: 'en', target: 20, weight: 1 },
    { id: 'sum', name: 'Sum', description: 'd', language: 'en', target: 20, weight: 1 },
  ],
};

describe('countPlanned', () => {
  it('counts the tasks of one run so a top-up continues their numbering', async () => {
    const first = planTasks({ categories, runId: 'run-1', perCategory: 24, k: 8 });
    const other = planTasks({ categories, runId: 'run-2', perCategory: 80, k: 8 });
    const alreadyPlanned = await countPlanned([...first, ...other], 'run-1');
    expect(alreadyPlanned).toEqual({ qa: 3, sum: 3 });

    const more = planTasks({
      categories,
      runId: 'run-1',
      untilAccepted: 20,
      accepted: { qa: 4 },
      alreadyPlanned,
      expectedYield: 1,
    });
    const ids = new Set(first.map((t) => t.id));
    expect(more.length).toBeGreaterThan(0);
    expect(more.some((t) => ids.has(t.id))).toBe(false);
  });
});
