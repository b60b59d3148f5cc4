import { makeRecord } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import { classifyRecord } from './dataset-row.ts';

const data = { instruction: '要約してください', input: '本文', output: '要約' };

describe('classifyRecord', () => {
  it('turns an accepted candidate into a row with score, repairs, model, language and lineage', () => {
    const record = makeRecord({
      id: 'c1',
      type: 'candidate',
      category: 'summary',
      data,
      meta: {
        outcome: { status: 'accepted', stage: 'dedup' },
        judge: { score: 4 },
        repairs: 1,
        generation: { model: 'mixtral' },
        category: { id: 'summary', language: 'ja', target: 50 },
      },
      lineage: [{ plugin: '@tane/plugin-judge@0.1.0', stage: 'judge' }],
    });
    expect(classifyRecord(record)).toEqual({
      kind: 'row',
      target: 50,
      row: {
        id: 'c1',
        category: 'summary',
        language: 'ja',
        ...data,
        meta: { judge: { score: 4 }, generation: { model: 'mixtral' }, repairs: 1 },
        lineage: [{ plugin: '@tane/plugin-judge@0.1.0', stage: 'judge' }],
      },
    });
  });

  it('turns rejected and duplicate candidates into outcome entries with their reason', () => {
    const rejected = makeRecord({
      id: 'c2',
      type: 'candidate',
      category: 'summary',
      data,
      meta: { outcome: { status: 'rejected', reason: 'filter', stage: 'generator' } },
    });
    expect(classifyRecord(rejected)).toEqual({
      kind: 'outcome',
      entry: {
        id: 'c2',
        category: 'summary',
        status: 'rejected',
        reason: 'filter',
        repairs: 0,
        stage: 'generator',
        example: data,
      },
    });
    const dup = makeRecord({
      id: 'c3',
      type: 'candidate',
      data,
      meta: { outcome: { status: 'duplicate', reason: 'near' } },
    });
    expect(classifyRecord(dup)).toMatchObject({
      kind: 'outcome',
      entry: { status: 'duplicate', reason: 'near' },
    });
  });

  it('counts a dead-lettered candidate under its own id, and a dead-lettered task separately', () => {
    const original = makeRecord({
      id: 'c4',
      type: 'candidate',
      category: 'summary',
      data,
      meta: { repairs: 2 },
    });
    const dlq = makeRecord({
      id: 'd1',
      type: 'dlq',
      category: 'summary',
      data: { stage: 'judge', record: original },
    });
    expect(classifyRecord(dlq)).toEqual({
      kind: 'outcome',
      entry: { id: 'c4', category: 'summary', status: 'dlq', reason: 'judge', repairs: 2 },
    });
    const task = makeRecord({ id: 't1', type: 'task', category: 'summary', data: {} });
    const taskDlq = makeRecord({
      id: 'd2',
      type: 'dlq',
      category: 'summary',
      data: { stage: 'generator', record: task },
    });
    expect(classifyRecord(taskDlq)).toMatchObject({
      kind: 'outcome',
      entry: { id: 't1', status: 'taskDlq' },
    });
  });

  it('ignores records it cannot count, saying why', () => {
    expect(classifyRecord(makeRecord({ type: 'candidate', data }))).toMatchObject({ kind: 'ignored' });
    expect(classifyRecord(makeRecord({ type: 'dlq', data: { raw: 'garbage' } }))).toMatchObject({
      kind: 'ignored',
    });
    expect(classifyRecord(makeRecord({ type: 'seed', data }))).toMatchObject({ kind: 'ignored' });
  });
});
