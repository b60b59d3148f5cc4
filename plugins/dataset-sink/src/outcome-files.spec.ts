import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countedPart, type OutcomeLogEntry } from './dataset-row.ts';
import { DatasetTally } from './dataset-tally.ts';
import { writeOutcomeFiles } from './outcome-files.ts';
import { OutcomeLog } from './outcome-log.ts';

const example = (id: string) => ({ instruction: `instruction ${id}`, input: '', output: `output ${id}` });

function entries(): OutcomeLogEntry[] {
  const out: OutcomeLogEntry[] = [];
  for (let i = 0; i < 300; i++) {
    const category = ['qa', 'email', 'sql'][i % 3]!;
    const id = `cand-${i}`;
    if (i % 10 === 0) {
      // Rejected first, then found a duplicate after a repair: only the last outcome counts.
      out.push({ id, category, status: 'rejected', reason: 'judge', repairs: 0, example: example(id) });
      out.push({
        id,
        category,
        status: 'duplicate',
        reason: 'near',
        repairs: 1,
        example: example(`${id}-r`),
      });
    } else {
      const status = i % 2 ? 'rejected' : 'duplicate';
      out.push({
        id,
        category,
        status,
        reason: status === 'rejected' ? 'judge' : 'near',
        repairs: 0,
        example: example(id),
      });
    }
  }
  return out;
}

async function filesFor(log: OutcomeLogEntry[], accepted: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'tane-outcome-files-'));
  const path = join(dir, '.tane', 'outcomes.jsonl');
  const outcomeLog = new OutcomeLog(path);
  await outcomeLog.load(() => {});
  await outcomeLog.append(log);
  const tally = new DatasetTally();
  for (const e of log) tally.addOutcome(countedPart(e));
  for (const id of accepted) {
    tally.addRow({
      id,
      category: 'qa',
      instruction: 'i',
      input: '',
      output: 'o',
      meta: { repairs: 0 },
      lineage: [],
    });
  }
  const info = await writeOutcomeFiles(dir, path, tally);
  return {
    info,
    rejected: readFileSync(join(dir, 'rejected.jsonl'), 'utf8'),
    duplicates: readFileSync(join(dir, 'duplicates.jsonl'), 'utf8'),
  };
}

describe('writeOutcomeFiles', () => {
  it('writes the same files whatever order the outcomes arrived in', async () => {
    const log = entries();
    // Another arrival order: interleaved differently, but each id's outcomes still in their order.
    const byId = new Map<string, OutcomeLogEntry[]>();
    for (const e of log) byId.set(e.id, [...(byId.get(e.id) ?? []), e]);
    const shuffled = [...byId.values()].reverse().flat();
    const a = await filesFor(log, ['cand-3']);
    const b = await filesFor(shuffled, ['cand-3']);
    expect(b.rejected).toBe(a.rejected);
    expect(b.duplicates).toBe(a.duplicates);

    const rows = (text: string) =>
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    const rejected = rows(a.rejected);
    const duplicates = rows(a.duplicates);
    // Grouped by category in name order; every id once, with its final outcome; the accepted one left out.
    expect(rejected.map((r) => r.category)).toEqual([...rejected.map((r) => r.category)].sort());
    expect(rejected.some((r) => r.id === 'cand-3')).toBe(false);
    expect(rejected.some((r) => r.id === 'cand-10')).toBe(false);
    expect(duplicates.find((r) => r.id === 'cand-10')).toMatchObject({
      instruction: 'instruction cand-10-r',
      meta: { outcome: { status: 'duplicate', reason: 'near' }, repairs: 1 },
    });
    expect(rejected.length + duplicates.length).toBe(299);
    expect(a.info).toEqual([
      { path: 'duplicates.jsonl', rows: duplicates.length },
      { path: 'rejected.jsonl', rows: rejected.length },
    ]);
  });
});
