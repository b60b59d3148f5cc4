import { describe, expect, it } from 'vitest';
import { checkFormula } from './formula-check.ts';

const fenced = (f: string) => `G2セルに次の数式を入れます。\n\n\`\`\`\n${f}\n\`\`\``;

describe('checkFormula', () => {
  it('evaluates Excel formulas with sheet names, TRUE/FALSE and absolute references', () => {
    expect(
      checkFormula('', fenced('=IFERROR(VLOOKUP(A2, 商品マスタ!$A$2:$C$300, 3, FALSE), "未登録")')).status,
    ).toBe('passed');
    expect(checkFormula('', fenced('=IFS(D2>=1.2, "S", TRUE, "C")')).status).toBe('passed');
  });

  it('evaluates on the table of the input', () => {
    const input = '| 品目 | 金額 |\n|---|---|\n| A | 1,200 |\n| B | 800 |';
    expect(checkFormula(input, fenced('=SUM(B2:B3)'))).toMatchObject({ status: 'passed' });
  });

  it('fails a formula that does not parse or uses a function no spreadsheet has', () => {
    expect(checkFormula('', fenced('=SUM(A1:A3')).error).toBe(
      '=SUM(A1:A3 does not parse as a spreadsheet formula',
    );
    expect(checkFormula('', fenced('=SUMM(A1:A3)')).error).toMatch(
      /SUMM, which is not an Excel or Google Sheets function/,
    );
    expect(checkFormula('', 'SUMIFを使います。').status).toBe('failed');
  });

  it('does not fail Google Sheets functions the engine lacks', () => {
    expect(checkFormula('', fenced('=QUERY(A1:D, "select B", 1)')).status).toBe('skipped');
  });

  it('gives every answer the same result whatever was checked before it (one engine, sheets replaced)', () => {
    const table = '| 商品 | 金額 |\n|---|---|\n| A | 100 |\n| B | 250 |';
    const cases: [string, string][] = [
      [table, fenced('=SUM(B2:B3)')],
      ['', fenced('=IFERROR(VLOOKUP(A2, 商品マスタ!$A$2:$C$300, 3, FALSE), "未登録")')],
      ['', fenced('=商品マスタ!A1+1')],
      ['', fenced('=SUM(A1:A3')],
      [table, fenced('=B2/0')],
      ['', fenced('=価格表!B2*2')],
      ['', fenced('=SUMM(A1:A3)')],
      [table, fenced('=AVERAGE(B2:B3)')],
    ];
    const forwards = cases.map(([input, output]) => checkFormula(input, output));
    const backwards = [...cases]
      .reverse()
      .map(([input, output]) => checkFormula(input, output))
      .reverse();
    const twice = cases.map(([input, output]) => checkFormula(input, output));
    expect(backwards).toEqual(forwards);
    expect(twice).toEqual(forwards);
    expect(forwards.map((r) => r.status)).toEqual([
      'passed',
      'passed',
      'passed',
      'failed',
      'passed',
      'passed',
      'failed',
      'passed',
    ]);
  });
});
