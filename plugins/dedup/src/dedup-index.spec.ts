import { describe, expect, it } from 'vitest';
import { DedupIndex } from './dedup-index.ts';
import { mulberry32 } from './hash32.ts';
import { rougeL, rougeTokens } from './rouge-l.ts';

const INVOICE =
  '次の請求書から、請求元・請求先・請求書番号・請求日・支払期限・合計金額を抽出し、JSON形式で出力してください。';
const INVOICE_PARAPHRASE =
  '次の請求書より請求元、請求先、請求書番号、請求日、支払期限、合計金額を抽出して、JSON形式で出力してください';
const MINUTES = '次の会議の発言録から、決定事項と担当者、期限を箇条書きで整理してください。';
const INVOICE_INPUT =
  '株式会社みどり薬局 御中\n件名:9月分 Webサイト保守費用\n小計 86,000円\n消費税(10%) 8,600円\n合計 94,600円';

describe('DedupIndex', () => {
  it('finds an exact duplicate that differs only in punctuation, spacing and width', () => {
    const index = new DedupIndex();
    expect(index.offer('a', { instruction: '請求書の金額を抽出してください。', input: '' }).status).toBe(
      'unique',
    );
    expect(index.offer('b', { instruction: '「請求書」の金額を 抽出してください！', input: '' })).toEqual({
      status: 'duplicate',
      reason: 'exact',
      duplicateOf: 'a',
      similarity: 1,
      metric: 'exact',
    });
  });

  it('finds a Japanese near duplicate with changed particles and punctuation', () => {
    const index = new DedupIndex();
    index.offer('a', { instruction: INVOICE, input: '' });
    const d = index.offer('b', { instruction: INVOICE_PARAPHRASE, input: '' });
    expect(d).toMatchObject({ status: 'duplicate', reason: 'near', duplicateOf: 'a', metric: 'jaccard' });
    expect(d.status === 'duplicate' && d.similarity).toBeGreaterThanOrEqual(0.7);
  });

  it('finds a short instruction with a changed particle when the input is the same', () => {
    const index = new DedupIndex();
    index.offer('a', { instruction: '請求書の金額を抽出してください。', input: INVOICE_INPUT });
    expect(
      index.offer('b', { instruction: '請求書から金額を抽出してください', input: INVOICE_INPUT }),
    ).toMatchObject({
      status: 'duplicate',
      reason: 'near',
      duplicateOf: 'a',
    });
  });

  it('keeps the same instruction on a different input', () => {
    const index = new DedupIndex();
    index.offer('a', {
      instruction: '請求書の金額を抽出してください。',
      input: '株式会社みどり薬局 御中\n合計 94,600円',
    });
    expect(
      index.offer('b', {
        instruction: '請求書の金額を抽出してください。',
        input: '有限会社さくら工務店 御中\n合計 1,250,000円',
      }).status,
    ).toBe('unique');
  });

  it('keeps clearly different instructions', () => {
    const index = new DedupIndex();
    index.offer('a', { instruction: INVOICE, input: '' });
    expect(index.offer('b', { instruction: MINUTES, input: '' }).status).toBe('unique');
    expect(index.size).toBe(2);
  });

  it('finds an English near duplicate (spelling, digits, a dropped article)', () => {
    const index = new DedupIndex();
    index.offer('a', {
      instruction:
        'Summarise the following e-mail from a customer in three bullet points, keeping the order number and the requested delivery date.',
      input: '',
    });
    expect(
      index.offer('b', {
        instruction:
          'Summarize the following email from a customer in 3 bullet points, keeping the order number and requested delivery date.',
        input: '',
      }),
    ).toMatchObject({ status: 'duplicate', reason: 'near', duplicateOf: 'a' });
    expect(
      index.offer('c', {
        instruction: 'Translate the following product description into formal Japanese.',
        input: '',
      }).status,
    ).toBe('unique');
  });

  it('with ROUGE-L, catches the short Japanese paraphrase that 3-gram Jaccard misses', () => {
    const a = { instruction: '請求書の金額を抽出してください。', input: '' };
    const b = { instruction: '請求書から金額を抽出してください', input: '' };
    const jaccardOnly = new DedupIndex();
    jaccardOnly.add('a', a);
    expect(jaccardOnly.check(b).status).toBe('unique');

    const rouge = new DedupIndex({ rougeL: { enabled: true, threshold: 0.7 } });
    rouge.add('a', a);
    const d = rouge.check(b);
    expect(d).toMatchObject({ status: 'duplicate', reason: 'near', duplicateOf: 'a', metric: 'rougeL' });
    expect(d.status === 'duplicate' && d.similarity).toBeCloseTo(0.903, 3);
    expect(rouge.check({ instruction: MINUTES, input: '' }).status).toBe('unique');
  });

  it('names the seed an example duplicates', () => {
    const index = new DedupIndex();
    index.add('invoice-extraction-001', { instruction: INVOICE, input: '' }, 'invoice-extraction');
    expect(
      index.offer('c1', { instruction: INVOICE_PARAPHRASE, input: '' }, 'invoice-extraction'),
    ).toMatchObject({
      status: 'duplicate',
      duplicateOf: 'invoice-extraction-001',
    });
  });

  it('keeps scopes apart', () => {
    const index = new DedupIndex();
    index.offer('a', { instruction: INVOICE, input: '' }, 'invoice');
    expect(index.offer('b', { instruction: INVOICE, input: '' }, 'contract').status).toBe('unique');
    expect(index.offer('c', { instruction: INVOICE, input: '' }, 'invoice').status).toBe('duplicate');
  });

  it('answers unique again for an id it already holds, without indexing it twice', () => {
    const index = new DedupIndex();
    index.offer('a', { instruction: INVOICE, input: '' });
    expect(index.offer('a', { instruction: INVOICE, input: '' })).toEqual({ status: 'unique', known: true });
    expect(index.size).toBe(1);
  });

  it('makes the same decisions for the same order of examples', () => {
    const examples = Array.from({ length: 400 }, (_, i) => ({
      instruction: `${['請求書', '契約書', '議事録', '日報'][i % 4]}から${['金額', '日付', '担当者'][i % 3]}を抽出してください。${i % 7 === 0 ? '' : `(${i % 50})`}`,
      input: `案件${i % 60}`,
    }));
    const run = () => {
      const index = new DedupIndex();
      return examples.map((ex, i) => JSON.stringify(index.offer(`r${i}`, ex)));
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first.filter((d) => d.includes('duplicate')).length).toBeGreaterThan(0);
  });

  it('indexes many examples without losing earlier ones', () => {
    const next = mulberry32(5);
    const text = () =>
      Array.from({ length: 30 }, () => String.fromCharCode(0x4e00 + (next() % 3000))).join('');
    const texts = Array.from({ length: 5000 }, text);
    const index = new DedupIndex();
    texts.forEach((t, i) => {
      index.offer(`r${i}`, { instruction: t, input: '' });
    });
    expect(index.size).toBe(5000);
    expect(index.offer('again', { instruction: `${texts[1]}。`, input: '' })).toMatchObject({
      status: 'duplicate',
      duplicateOf: 'r1',
    });
    expect(index.offer('near', { instruction: `${texts[2]!.slice(0, 28)}`, input: '' })).toMatchObject({
      status: 'duplicate',
      reason: 'near',
      duplicateOf: 'r2',
    });
  });
});

describe('DedupIndex, small scopes in full', () => {
  // Two rows the simulator wrote for one category: one long invoice under two different
  // instructions. ROUGE-L of instruction + input is 0.71, but the n-gram Jaccard is low enough
  // for LSH (32 × 4 bands, two shared bands) to miss the pair.
  const first = {
    instruction:
      'While handling a price increase, Legal at Brightwater Health Inc. needs support. Questions about the Sprout seed-starter kit are increasing too. It will also be shared with the Melbourne office. Use ISO dates and numbers without currency symbols. An operations analyst received it. Leave no room for misunderstanding.',
    input:
      'Brightwater Health Inc.\nINVOICE  No. INV-20931\nDate: 14 March 2025        Payment due: 13 April 2025\nBill to: Harbor Dental Clinic\n\nPrinter paper A4 (box)      6  x  £122.50   £735.00\nToner cartridge HP 26A      2  x  £445.00   £890.00\nDesk organiser              3  x  £60.00    £180.00\n\nSubtotal  £1805.00\nVAT 20%    £361.00\nTotal     £2166.00',
  };
  const second = {
    instruction:
      'This is a practice task for someone new to the financial analyst job. The people involved are in Sales and at Kestrel Aerospace Ltd. It will also be shared with the Austin office. Use ISO dates and numbers without currency symbols. It concerns onboarding training. Stay diplomatic.',
    input:
      'Kestrel Aerospace Ltd.\nINVOICE  No. INV-20931\nDate: 14 March 2025        Payment due: 13 April 2025\nBill to: Harbor Dental Clinic\n\nPrinter paper A4 (box)      6  x  £122.50   £735.00\nToner cartridge HP 26A      2  x  £445.00   £890.00\nDesk organiser              3  x  £60.00    £180.00\n\nSubtotal  £1805.00\nVAT 20%    £361.00\nTotal     £2166.00',
  };
  const options = { rougeL: { enabled: true, threshold: 0.7 }, minSharedBands: 2 };

  it('catches a near-duplicate pair that LSH alone lets through', () => {
    const lshOnly = new DedupIndex({ ...options, exhaustiveBelow: 0 });
    lshOnly.offer('a', first);
    const missed = lshOnly.offer('b', second);
    const full = new DedupIndex(options);
    full.offer('a', first);
    const caught = full.offer('b', second);
    expect(caught).toMatchObject({ status: 'duplicate', reason: 'near', duplicateOf: 'a', metric: 'rougeL' });
    // Documents why the full comparison exists: without it this pair is kept.
    expect(missed.status).toBe('unique');
  });

  it('falls back to LSH candidates once a scope holds more than exhaustiveBelow examples', () => {
    const index = new DedupIndex({ ...options, exhaustiveBelow: 1 });
    index.offer('a', first);
    index.offer('c', {
      instruction: 'Something else entirely, about a warehouse inventory count.',
      input: '',
    });
    expect(index.offer('b', second).status).toBe('unique');
  });
});

describe('DedupIndex, ROUGE-L token store', () => {
  const words = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => `w${(from + i).toString(36)}`);

  it('scores exactly as ROUGE-L over the raw tokens, before and after a scope outgrows 2-byte token ids', () => {
    const index = new DedupIndex({ rougeL: { enabled: true, threshold: 0.7 }, exhaustiveBelow: 0 });
    // 1,400 records of 50 words never seen before: 70,000 distinct tokens in one scope.
    const texts: string[] = [];
    for (let r = 0; r < 1_400; r++) texts.push(words(r * 50, 50).join(' '));
    texts.forEach((text, r) => {
      expect(index.offer(`r${r}`, { instruction: text, input: '' }).status).toBe('unique');
    });
    for (const r of [3, 1_399]) {
      // Drop four words and add two the scope has never seen: ROUGE-L F1 of 46 common tokens.
      const original = texts[r]!.split(' ');
      const edited = [...original.slice(0, 20), 'novel', ...original.slice(24, 50), 'unseen'].join(' ');
      const decision = index.offer(`edit-${r}`, { instruction: edited, input: '' });
      const expected =
        Math.round(rougeL(rougeTokens(`${edited}\n`), rougeTokens(`${texts[r]}\n`)) * 1000) / 1000;
      expect(decision).toEqual({
        status: 'duplicate',
        reason: 'near',
        duplicateOf: `r${r}`,
        similarity: expected,
        metric: 'rougeL',
      });
    }
    // Tokens the scope has never seen match nothing, however many the query has.
    expect(index.offer('fresh', { instruction: words(900_000, 50).join(' '), input: '' }).status).toBe(
      'unique',
    );
  });
});
