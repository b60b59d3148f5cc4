import { TaneError } from '@tane/core';
import { makeRecord } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import { readCandidateExample } from './candidate-example.ts';

describe('readCandidateExample', () => {
  it('reads instruction, input and output, with an empty input when there is none', () => {
    const r = makeRecord({ data: { instruction: 'i', output: 'o', extra: 1 } });
    expect(readCandidateExample(r, 'judge')).toEqual({ instruction: 'i', input: '', output: 'o' });
  });

  it('fails with INPUT_INVALID naming the record and the stage when data is not an example', () => {
    for (const data of [null, 'text', { instruction: 'i' }, { output: 'o' }]) {
      try {
        readCandidateExample(makeRecord({ id: 'rec-1', data }), 'repairer');
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(TaneError);
        expect((err as TaneError).code).toBe('INPUT_INVALID');
        expect((err as TaneError).message).toContain('rec-1');
        expect((err as TaneError).where).toBe('stage repairer');
      }
    }
  });
});
