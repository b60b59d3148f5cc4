import { makeRecord } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import { verifierEvidence } from './verifier-evidence.ts';

describe('verifierEvidence', () => {
  it('turns the failed checks of the last verification into feedback lines', () => {
    const record = makeRecord({
      id: 'c1',
      type: 'candidate',
      data: { instruction: 'i', input: '', output: 'o' },
      meta: {
        verification: {
          status: 'failed',
          checks: [
            { check: 'sql', status: 'failed', error: 'the query does not run: near "FORM": syntax error' },
            { check: 'lang', status: 'passed' },
          ],
        },
      },
    });
    expect(verifierEvidence(record)).toEqual([
      'verifier (sql): the query does not run: near "FORM": syntax error',
    ]);
  });

  it('gives nothing for a verified record or one never verified', () => {
    const verified = makeRecord({
      id: 'c2',
      type: 'candidate',
      data: {},
      meta: { verification: { status: 'verified', checks: [] } },
    });
    expect(verifierEvidence(verified)).toEqual([]);
    expect(verifierEvidence(makeRecord({ id: 'c3', type: 'candidate', data: {} }))).toEqual([]);
  });
});
