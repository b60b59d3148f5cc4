import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../bench/mix-1m.ts';

// The small version of bench/mix-1m.ts: the same generator, import and pipeline on 3,000 rows.
describe('bench/mix-1m at 3,000 rows', () => {
  it('loses no row, catches the planted near-duplicates and test items, and exports every kept row', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tane-mix-small-')), 'mix.json');
    await main(['--rows', '3000', '--out', out]);
    const r = JSON.parse(readFileSync(out, 'utf8'));
    expect(r.import.exit).toBe(0);
    expect(r.run.exit).toBe(0);
    expect(r.importedRowsMissing).toBe(0);
    expect(r.lostRows).toBe(0);
    // The imported rows and the Self-Instruct candidates generated into the same stream.
    expect(r.selfInstruct.candidates).toBeGreaterThan(0);
    expect(r.selfInstruct.accepted).toBeGreaterThan(0);
    expect(r.totals.in).toBe(3000 + r.selfInstruct.candidates);
    expect(r.recall).toBeGreaterThanOrEqual(0.95);
    expect(r.totals.duplicates).toBeGreaterThanOrEqual(r.planted.nearDuplicates);
    // Every planted test item is rejected as contaminated, and nothing else is.
    expect(r.decontamination.planted).toBeGreaterThan(0);
    expect(r.decontamination.caught).toBe(r.decontamination.planted);
    expect(r.contaminatedRejected).toBe(r.decontamination.planted);
    expect(r.parquetFiles).toBe(1);
    expect(r.parquetRows).toBe(r.totals.accepted);
  }, 120_000);
});
