import { describe, expect, it } from 'vitest';
import { checkArithmetic } from './arithmetic-check.ts';

describe('checkArithmetic', () => {
  it('recomputes Japanese worked answers with units, ×, ÷, − and thousands separators', () => {
    const output =
      '1. 定価:1,200円 ×(1 + 0.40)= 1,680円\n2. セール価格:1,680円 ×(1 − 0.15)= 1,428円\n3. 100個の利益:228円 × 100個 = 22,800円\n答え:22,800円';
    expect(checkArithmetic(output)).toEqual({
      check: 'arithmetic',
      status: 'passed',
      note: '3 equation(s) recomputed',
    });
  });

  it('fails a wrong total and says what it should be', () => {
    const r = checkArithmetic('100個の利益:228円 × 100個 = 23,800円');
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/^228 \* 100 is 22800, not 23800 \(line: "100個の利益/);
  });

  it('reads chains, tight fractions, percentages and rounded or approximate results', () => {
    expect(checkArithmetic('1/12 + 1/18 = 3/36 + 2/36 = 5/36\n1 ÷ 5/36 = 36/5 = 7.2時間').status).toBe(
      'passed',
    );
    expect(checkArithmetic('1,400 ÷ 1,250 = 1.12 → 12.0%増\n4,025 ÷ 3,750 = 1.0733… → 7.3%増').status).toBe(
      'passed',
    );
    expect(checkArithmetic('The tax is 1,200 × 8% = 96 dollars; 2 ÷ 3 = about 0.67.').status).toBe('passed');
    expect(checkArithmetic('0.2時間 = 0.2 × 60分 = 12分')).toMatchObject({ status: 'passed' });
  });

  it('leaves lines alone that hold no calculation', () => {
    expect(checkArithmetic('答え:7時間12分です。\n- 期限 = 月末').status).toBe('skipped');
    expect(checkArithmetic('損益分岐点:2,000個 × 3,000円 = 6,000,000円(600万円)').status).toBe('passed');
  });
});
