import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AtomicFileWriter } from './atomic-file.ts';
import type { OutcomeLogEntry } from './dataset-row.ts';
import type { DatasetTally } from './dataset-tally.ts';
import { IdTable } from './id-table.ts';

/** One of the files {@link writeOutcomeFiles} writes, as listed in the manifest. */
export interface OutcomeFileInfo {
  path: string;
  rows: number;
}

/**
 * Rebuilds `rejected.jsonl` and `duplicates.jsonl` in the dataset folder from
 * the outcome log: one flat row per candidate, `{id, category, instruction,
 * input, output, meta: {outcome, judge?, repairs}}`, only for the outcome the
 * candidate finally got (an id later accepted, or rejected again for another
 * reason, appears once, as counted). `tane report` reads them to show
 * rejection reasons and near-duplicate clusters.
 */
export async function writeOutcomeFiles(
  dir: string,
  logPath: string,
  tally: DatasetTally,
): Promise<OutcomeFileInfo[]> {
  const duplicates = await AtomicFileWriter.open(join(dir, 'duplicates.jsonl'));
  const rejected = await AtomicFileWriter.open(join(dir, 'rejected.jsonl'));
  const counts = { duplicates: 0, rejected: 0 };
  try {
    const written = new IdTable();
    if (existsSync(logPath)) {
      const lines = createInterface({
        input: createReadStream(logPath, 'utf8'),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      for await (const line of lines) {
        if (line === '') continue;
        let e: OutcomeLogEntry;
        try {
          e = JSON.parse(line) as OutcomeLogEntry;
        } catch {
          continue;
        }
        if (e.status !== 'rejected' && e.status !== 'duplicate') continue;
        if (written.has(e.id) || tally.isAccepted(e.id)) continue;
        const final = tally.outcomeOf(e.id);
        if (!final || final.status !== e.status || final.reason !== e.reason || final.repairs !== e.repairs)
          continue;
        written.add(e.id);
        const row = {
          id: e.id,
          category: e.category,
          instruction: e.example?.instruction ?? '',
          input: e.example?.input ?? '',
          output: e.example?.output ?? '',
          meta: {
            outcome: {
              status: e.status,
              ...(e.reason === undefined ? {} : { reason: e.reason }),
              ...(e.detail === undefined ? {} : { detail: e.detail }),
              ...(e.stage === undefined ? {} : { stage: e.stage }),
            },
            ...(e.score === undefined ? {} : { judge: { score: e.score } }),
            repairs: e.repairs,
          },
        };
        if (e.status === 'duplicate') {
          await duplicates.write(`${JSON.stringify(row)}\n`);
          counts.duplicates++;
        } else {
          await rejected.write(`${JSON.stringify(row)}\n`);
          counts.rejected++;
        }
      }
    }
    await duplicates.commit();
    await rejected.commit();
  } catch (err) {
    await duplicates.abort();
    await rejected.abort();
    throw err;
  }
  return [
    { path: 'duplicates.jsonl', rows: counts.duplicates },
    { path: 'rejected.jsonl', rows: counts.rejected },
  ];
}
