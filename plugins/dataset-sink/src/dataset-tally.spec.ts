import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DatasetRow, OutcomeEntry } from './dataset-row.ts';
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

/** The counting rules spelled out over plain maps: accepted wins, otherwise the last (new) outcome of an id. */
function referenceCounts(ops: Op[]) {
  const accepted = new Map<string, string>();
  const last = new Map<string, OutcomeEntry>();
  for (const op of ops) {
    if (op.kind === 'row') {
      if (!accepted.has(op.id)) accepted.set(op.id, op.category);
    } else {
      const key = op.entry.status === 'taskDlq' ? `task:${op.entry.id}` : op.entry.id;
      const known = last.get(key);
      // A repeat (same status, reason and repairs) is the same outcome: the first one stays.
      const repeat =
        known?.status === op.entry.status &&
        known.reason === op.entry.reason &&
        known.repairs === op.entry.repairs;
      if (!repeat) last.set(key, op.entry);
    }
  }
  type Counts = Record<
    'accepted' | 'rejected' | 'duplicates' | 'dlq' | 'filtered' | 'taskDlq' | 'repaired' | 'judged',
    number
  >;
  const out: Record<string, Counts> = {};
  const get = (c: string): Counts =>
    (out[c] ??= {
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      dlq: 0,
      filtered: 0,
      taskDlq: 0,
      repaired: 0,
      judged: 0,
    });
  for (const c of accepted.values()) get(c).accepted++;
  for (const e of last.values()) {
    const s = get(e.category);
    if (e.status === 'taskDlq') s.taskDlq++;
    else if (accepted.has(e.id)) continue;
    else if (e.status === 'rejected') {
      s.rejected++;
      if (e.reason === 'filter') s.filtered++;
    } else if (e.status === 'duplicate') s.duplicates++;
    else s.dlq++;
    if (e.status !== 'taskDlq' && e.status !== 'dlq') {
      if (e.repairs > 0) s.repaired++;
      if (e.score !== undefined) s.judged++;
    }
  }
  return out;
}

type Op = { kind: 'row'; id: string; category: string } | { kind: 'outcome'; entry: OutcomeEntry };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('row' as const),
    id: fc.integer({ min: 0, max: 30 }).map((n) => `c${n}`),
    category: fc.constantFrom('a', 'b'),
  }),
  fc.record({
    kind: fc.constant('outcome' as const),
    entry: fc.record(
      {
        id: fc.integer({ min: 0, max: 30 }).map((n) => `c${n}`),
        category: fc.constantFrom('a', 'b', 'c'),
        status: fc.constantFrom('rejected', 'duplicate', 'dlq', 'taskDlq') as fc.Arbitrary<
          OutcomeEntry['status']
        >,
        reason: fc.constantFrom('judge', 'filter', 'near', 'exact'),
        repairs: fc.integer({ min: 0, max: 2 }),
        score: fc.integer({ min: 1, max: 5 }),
      },
      { requiredKeys: ['id', 'category', 'status', 'repairs'] },
    ),
  }),
);

describe('DatasetTally against the counting rules', () => {
  it('counts every category as plain maps of the last outcome per id would, in any order of arrival', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        const t = new DatasetTally();
        for (const op of ops) {
          if (op.kind === 'row') t.addRow(row(op.id, op.category, { score: 5 }));
          else {
            t.addOutcome(op.entry);
            // A repeat of the outcome just counted is known (unless the id is accepted), and not counted again.
            const accepted = op.entry.status !== 'taskDlq' && t.isAccepted(op.entry.id);
            expect(t.knowsOutcome(op.entry)).toBe(!accepted);
            expect(t.addOutcome({ ...op.entry })).toBe(false);
          }
        }
        const stats = t.stats({});
        const expected = referenceCounts(ops);
        for (const [category, want] of Object.entries(expected)) {
          const s = stats[category]!;
          const judged = SCORE_SUM(s.judgeScores) - SCORE_SUM(s.acceptedJudgeScores);
          expect({ ...pick(s), judged }).toEqual(want);
        }
        expect(Object.keys(stats).sort()).toEqual(Object.keys(expected).sort());
        for (const op of ops) {
          if (op.kind !== 'row') continue;
          expect(t.isAccepted(op.id)).toBe(true);
          expect(t.outcomeOf(op.id)).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });
});

const SCORE_SUM = (s: Record<string, number>) => Object.values(s).reduce((n, x) => n + x, 0);
function pick(s: ReturnType<DatasetTally['stats']>[string]) {
  return {
    accepted: s.accepted,
    rejected: s.rejected,
    duplicates: s.duplicates,
    dlq: s.dlq,
    filtered: s.filtered,
    taskDlq: s.taskDlq,
    // Accepted rows here are never repaired, so `repaired` counts outcomes only.
    repaired: s.repaired,
  };
}

describe('codePointLength', () => {
  it('counts a character outside the BMP once', () => {
    expect(codePointLength('𠮷野家')).toBe(3);
  });
});
