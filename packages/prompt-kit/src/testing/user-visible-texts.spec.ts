import { describe, expect, it } from 'vitest';
import { userVisibleTexts } from './user-visible-texts.ts';

describe('userVisibleTexts', () => {
  it('covers emitted records, failure codes and messages, and log entries', () => {
    // a harness result carries more than the helper reads (the failed record itself)
    const runs = [
      { emissions: [{ route: 'accept', record: { data: 'in-a-record' } }], failed: [] },
      { emissions: [], failed: [{ code: 'LLM_CONFIG', message: 'in-a-message', record: { big: 'x' } }] },
    ];
    const texts = userVisibleTexts(runs, [{ msg: 'in-a-log' }]);
    expect(texts).toHaveLength(3);
    expect(texts[0]).toContain('in-a-record');
    expect(texts[1]).toContain('LLM_CONFIG');
    expect(texts[1]).toContain('in-a-message');
    expect(texts[2]).toContain('in-a-log');
  });
});
