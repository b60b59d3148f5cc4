import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetRow } from './dataset-row.ts';
import { renderQualitySections, summariseQuality } from './quality-summary.ts';

const row = (
  id: string,
  category: string,
  stages: { plugin: string; stage: string; checks?: string[] }[],
): DatasetRow => ({
  id,
  category,
  instruction: 'i',
  input: '',
  output: 'o',
  meta: { repairs: 0 },
  lineage: stages,
});

describe('summariseQuality', () => {
  it('counts verified rows per category and contaminated rows per benchmark for the card', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tane-quality-'));
    const verified = { plugin: '@tane/plugin-verifier@0.1.0', stage: 'verifier:verified', checks: ['sql'] };
    const decon = { plugin: '@tane/plugin-decontaminate@0.1.0', stage: 'decontaminate' };
    const rows: Record<string, DatasetRow[]> = {
      'sql-query': [row('a', 'sql-query', [verified, decon]), row('b', 'sql-query', [decon])],
      'email-reply': [row('c', 'email-reply', [decon])],
    };
    writeFileSync(
      join(dir, 'rejected.jsonl'),
      `${JSON.stringify({
        id: 'd',
        category: 'faq-answer',
        meta: {
          outcome: {
            status: 'rejected',
            reason: 'contaminated',
            detail: { benchmark: 'jsquad', itemId: 'q1', span: '和紙づくり' },
          },
        },
      })}\n${JSON.stringify({ id: 'e', category: 'x', meta: { outcome: { status: 'rejected', reason: 'judge' } } })}\n`,
    );
    const source = {
      categories: () => Object.keys(rows).map((category) => ({ category })),
      async *rows(category: string) {
        yield rows[category]!;
      },
    };
    const q = await summariseQuality(source, dir);
    expect(q.verification['sql-query']).toEqual({ rows: 2, verified: 1, checks: { sql: 1 } });
    expect(q.decontaminationChecked).toBe(3);
    expect(q.contamination).toEqual({
      jsquad: {
        removed: 1,
        examples: [{ id: 'd', category: 'faq-answer', itemId: 'q1', span: '和紙づくり' }],
      },
    });
    const card = renderQualitySections(q).join('\n');
    expect(card).toContain('| sql-query | 2 | 1 | 50% | sql 1 |');
    expect(card).toContain('| jsquad | 4 | 1 | `q1`: “和紙づくり” |');
    expect(renderQualitySections({ verification: {}, decontaminationChecked: 0, contamination: {} })).toEqual(
      [],
    );
  });
});
