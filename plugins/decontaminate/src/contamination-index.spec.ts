import { describe, expect, it } from 'vitest';
import { ContaminationIndex } from './contamination-index.ts';

const QUESTION_JA = '冷蔵庫に入れておくと長持ちする野菜として、一般によく知られているものはどれですか?';
const QUESTION_EN =
  'The committee postponed the annual budget review because three of its five members were travelling to the regional conference that week.';

function index(options = {}) {
  const idx = new ContaminationIndex(options);
  idx.addItem({
    benchmark: 'jcommonsenseqa',
    id: 'samples[0]',
    texts: [{ field: 'input', text: QUESTION_JA }],
  });
  idx.addItem({ benchmark: 'en-reading', id: 'en-1', texts: [{ field: 'question', text: QUESTION_EN }] });
  return idx;
}

describe('ContaminationIndex', () => {
  it('finds a Japanese row that quotes 13+ characters of a test item, with the span', () => {
    const m = index().check([
      { field: 'instruction', text: '次の質問に答えてください。' },
      { field: 'input', text: '問題:冷蔵庫に入れておくと長持ちする野菜はどれ?' },
    ]);
    expect(m).toMatchObject({ benchmark: 'jcommonsenseqa', itemId: 'samples[0]', field: 'input' });
    expect(m?.span).toBe('冷蔵庫に入れておくと長持ちする野菜');
    expect(m?.ngram).toEqual({ mode: 'char', n: 13 });
  });

  it('passes a Japanese row that shares fewer than 13 characters in a row', () => {
    expect(
      index().check([{ field: 'input', text: '冷蔵庫に入れておく食品の保存期間を表にまとめてください。' }]),
    ).toBeUndefined();
  });

  it('finds an English row sharing 13 words, not one sharing 12', () => {
    const idx = index();
    const thirteen =
      'Summarise: three of its five members were travelling to the regional conference that week, so it waited.';
    expect(idx.check([{ field: 'output', text: thirteen }])).toMatchObject({
      benchmark: 'en-reading',
      itemId: 'en-1',
      span: 'three of its five members were travelling to the regional conference that week',
      ngram: { mode: 'word', n: 13 },
    });
    const twelve =
      'Summarise: of its five members were travelling to the regional conference that week, so it waited.';
    expect(idx.check([{ field: 'output', text: twelve }])).toBeUndefined();
  });

  it('uses the configured n-gram lengths and thresholds', () => {
    const row = [{ field: 'input', text: '冷蔵庫に入れておくと長持ちする野菜はどれ?' }];
    expect(index({ charNgram: 20 }).check(row)).toBeUndefined();
    expect(index().check(row, { minMatches: 5 })).toBeDefined();
    expect(index().check(row, { minMatches: 50 })).toBeUndefined();
    expect(index().check(row, { minItemCoverage: 0.9 })).toBeUndefined();
  });

  it('ignores n-grams that are in more test items than maxItemsPerNgram', () => {
    const idx = new ContaminationIndex({ maxItemsPerNgram: 3 });
    const boilerplate = 'Answer the following question with one word and do not explain the answer at all';
    for (let i = 0; i < 4; i++) {
      idx.addItem({
        benchmark: 'quiz',
        id: `q${i}`,
        texts: [{ field: 'q', text: `${boilerplate}: item ${i}?` }],
      });
    }
    expect(idx.check([{ field: 'instruction', text: boilerplate }])).toBeUndefined();
    expect(idx.stats().commonNgrams).toBeGreaterThan(0);
    const few = new ContaminationIndex({ maxItemsPerNgram: 10 });
    few.addItem({ benchmark: 'quiz', id: 'q0', texts: [{ field: 'q', text: boilerplate }] });
    expect(few.check([{ field: 'instruction', text: boilerplate }])?.itemId).toBe('q0');
  });

  it('grows past its initial capacity and round-trips through bytes', () => {
    const idx = new ContaminationIndex({ wordNgram: 3 }, 16);
    for (let i = 0; i < 200; i++) {
      idx.addItem({
        benchmark: 'b',
        id: String(i),
        texts: [{ field: 't', text: `alpha${i} beta${i} gamma${i} delta${i}` }],
      });
    }
    expect(idx.stats().ngrams).toBe(400);
    const back = ContaminationIndex.fromBytes(idx.toBytes('fp'), 'fp')!;
    expect(back.check([{ field: 'x', text: 'so beta150 gamma150 delta150 ok' }])?.itemId).toBe('150');
    expect(back.stats()).toEqual(idx.stats());
    expect(ContaminationIndex.fromBytes(idx.toBytes('fp'), 'other')).toBeUndefined();
  });

  it('stops with a code and a hint when the test sets exceed maxNgrams', () => {
    const idx = new ContaminationIndex({ wordNgram: 3, maxNgrams: 5 });
    expect(() =>
      idx.addItem({ benchmark: 'big', id: 'x', texts: [{ field: 't', text: 'a b c d e f g h i j' }] }),
    ).toThrow(
      expect.objectContaining({
        code: 'DECONTAMINATE_INDEX_FULL',
        hint: expect.stringContaining('raise maxNgrams'),
      }),
    );
  });
});
