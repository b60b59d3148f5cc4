import { describe, expect, it } from 'vitest';
import type { DatasetRow } from './dataset-row.ts';
import { codePointLength, DatasetTally, totalStats } from './dataset-tally.ts';

function row(
  id: string,
  category: string,
  extra: { repairs?: number; score?: number; model?: string } = {},
): DatasetRow {
  return {
    id,
    category,
    instruction: '請求書から金額を抽出',
    input: '',
    output: '94600',
    meta: {
      repairs: extra.repairs ?? 0,
      judge: { score: extra.score ?? 5 },
      ...(extra.model ? { generation: { model: extra.model } } : {}),
    },
    lineage: [{ plugin: '@tane/plugin-judge@0.1.0', stage: 'judge' }],
  };
}

describe('DatasetTally', () => {
  it('balances generated against accepted, rejected, duplicates and dlq per category', () => {
    const t = new DatasetTally();
    t.addRow(row('a1', 'invoice'));
    t.addRow(row('a2', 'invoice', { repairs: 1, score: 4 }));
    t.addOutcome({
      id: 'r1',
      category: 'invoice',
      status: 'rejected',
      reason: 'judge',
      repairs: 1,
      score: 2,
    });
    t.addOutcome({ id: 'f1', category: 'invoice', status: 'rejected', reason: 'filter', repairs: 0 });
    t.addOutcome({ id: 'd1', category: 'invoice', status: 'duplicate', reason: 'near', repairs: 0 });
    t.addOutcome({ id: 'x1', category: 'invoice', status: 'dlq', reason: 'judge', repairs: 0 });
    t.addOutcome({ id: 't1', category: 'invoice', status: 'taskDlq', reason: 'generator', repairs: 0 });
    const s = t.stats({ invoice: 6 }).invoice!;
    expect(s).toMatchObject({
      generated: 6,
      accepted: 2,
      repaired: 2,
      rejected: 2,
      filtered: 1,
      duplicates: 1,
      dlq: 1,
      taskDlq: 1,
      balanced: true,
      judgeScores: { '1': 0, '2': 1, '3': 0, '4': 1, '5': 1 },
      acceptedJudgeScores: { '1': 0, '2': 0, '3': 0, '4': 1, '5': 1 },
      avgInstructionChars: 10,
      avgOutputChars: 5,
    });
    expect(t.stats({ invoice: 7 }).invoice!.balanced).toBe(false);
  });

  it('counts an id once: accepted wins, otherwise the last outcome', () => {
    const t = new DatasetTally();
    t.addOutcome({ id: 'c1', category: 'x', status: 'dlq', repairs: 0 });
    t.addOutcome({ id: 'c1', category: 'x', status: 'rejected', reason: 'judge', repairs: 0 });
    t.addOutcome({ id: 'c2', category: 'x', status: 'rejected', reason: 'judge', repairs: 0 });
    t.addRow(row('c2', 'x'));
    expect(t.addRow(row('c2', 'x'))).toBe(false);
    const s = t.stats({ x: 2 }).x!;
    expect(s).toMatchObject({ accepted: 1, rejected: 1, dlq: 0, balanced: true });
  });

  it('reports a repeated identical outcome as already known', () => {
    const t = new DatasetTally();
    const e = { id: 'c1', category: 'x', status: 'duplicate' as const, reason: 'exact', repairs: 0 };
    expect(t.addOutcome(e)).toBe(true);
    expect(t.knowsOutcome({ ...e })).toBe(true);
    expect(t.addOutcome({ ...e })).toBe(false);
  });

  it('collects models and plugin versions from the lineage', () => {
    const t = new DatasetTally();
    t.addRow(row('a', 'x', { model: 'm2' }));
    t.addRow({
      ...row('b', 'x', { model: 'm1' }),
      lineage: [{ plugin: '@tane/plugin-judge@0.2.0', stage: 'judge' }],
    });
    t.addPlugin('@tane/plugin-dataset-sink@0.1.0');
    expect(t.models).toEqual(['m1', 'm2']);
    expect(t.plugins).toEqual([
      '@tane/plugin-dataset-sink@0.1.0',
      '@tane/plugin-judge@0.1.0',
      '@tane/plugin-judge@0.2.0',
    ]);
  });

  it('adds up totals with averages weighted by accepted rows', () => {
    const t = new DatasetTally();
    t.addRow(row('a', 'x'));
    t.addRow({ ...row('b', 'y'), output: '1' });
    t.addRow({ ...row('c', 'y'), output: '1' });
    t.setTarget('x', 10);
    t.setTarget('y', 5);
    const total = totalStats(t.stats({ x: 1, y: 2 }));
    expect(total).toMatchObject({ generated: 3, accepted: 3, target: 15, balanced: true });
    expect(total.avgOutputChars).toBeCloseTo((5 + 1 + 1) / 3, 1);
  });
});

describe('codePointLength', () => {
  it('counts a character outside the BMP once', () => {
    expect(codePointLength('𠮷野家')).toBe(3);
  });
});
