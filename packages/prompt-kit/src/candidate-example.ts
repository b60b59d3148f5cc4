import { type Example, TaneError, type TaneRecord } from '@tane/core';

/**
 * The `{instruction, input, output}` of a candidate (`input` empty when
 * missing); `INPUT_INVALID` when the record has none, so it goes to the
 * dead-letter topic with the reason.
 *
 * @example
 * ```ts
 * const example = readCandidateExample(record, ctx.stage);
 * ```
 */
export function readCandidateExample(record: TaneRecord, stage: string): Example {
  const d = record.data as Partial<Example> | null;
  if (!d || typeof d !== 'object' || typeof d.instruction !== 'string' || typeof d.output !== 'string') {
    throw new TaneError('INPUT_INVALID', `record ${record.id} has no {instruction, input, output} in data`, {
      where: `stage ${stage}`,
      hint: 'this stage takes candidates from the generator (record type "candidate"); check the routes into it',
    });
  }
  return { instruction: d.instruction, input: typeof d.input === 'string' ? d.input : '', output: d.output };
}
