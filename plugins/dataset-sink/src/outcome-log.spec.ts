import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutcomeEntry } from './dataset-row.ts';
import { OutcomeLog } from './outcome-log.ts';

describe('OutcomeLog', () => {
  it('reads back what was appended and cuts a torn last line left by a crash', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'outcomes-')), '.tane', 'outcomes.jsonl');
    const log = new OutcomeLog(path);
    expect(await log.load(() => {})).toBe(0);
    await log.append([
      { id: 'a', category: 'x', status: 'rejected', reason: 'judge', repairs: 0 },
      { id: 'b', category: 'x', status: 'duplicate', reason: 'near', repairs: 1 },
    ]);
    appendFileSync(path, '{"id":"c","categ');

    const entries: OutcomeEntry[] = [];
    expect(await new OutcomeLog(path).load((e) => entries.push(e))).toBe(2);
    expect(entries.map((e) => e.id)).toEqual(['a', 'b']);
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);

    await log.append([{ id: 'c', category: 'x', status: 'dlq', repairs: 0 }]);
    const again: string[] = [];
    await new OutcomeLog(path).load((e) => again.push(e.id));
    expect(again).toEqual(['a', 'b', 'c']);
  });
});
