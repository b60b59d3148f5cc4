import { closeSync, createReadStream, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { growTypedArray, IdTable } from '@tane/core';
import { AtomicFileWriter } from './atomic-file.ts';
import type { OutcomeLogEntry } from './dataset-row.ts';
import type { DatasetTally } from './dataset-tally.ts';

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
 *
 * Rows are grouped by category (in name order) and within a category ordered
 * by a hash of the id, not by when outcomes arrived, so the same candidates
 * give the same files whatever the timing of the run. Two passes over the
 * log: the first finds each final outcome's line (offset and length, in
 * typed arrays), the second reads those lines in order.
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
    if (existsSync(logPath)) {
      const lines = await finalOutcomeLines(logPath, tally);
      // Positioned reads of lines the first pass just read, so from the page cache: synchronous
      // reads cost microseconds where a promise per read costs a thread-pool round trip.
      const fd = openSync(logPath, 'r');
      try {
        let buffer = Buffer.alloc(64 * 1024);
        for (let k = 0; k < lines.order.length; k++) {
          if (k % 1024 === 1023) await new Promise((r) => setImmediate(r));
          const i = lines.order[k]!;
          const length = lines.lengths[i]!;
          if (buffer.length < length) buffer = Buffer.alloc(length);
          readSync(fd, buffer, 0, length, lines.offsets[i]!);
          const e = JSON.parse(buffer.toString('utf8', 0, length)) as OutcomeLogEntry;
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
      } finally {
        closeSync(fd);
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

/**
 * The log lines that hold a candidate's final `rejected` or `duplicate`
 * outcome (the first such line of an id), as byte offsets and lengths, and
 * the order to write them in: category name, then the id's fingerprint.
 */
async function finalOutcomeLines(
  logPath: string,
  tally: DatasetTally,
): Promise<{ offsets: Float64Array; lengths: Uint32Array; order: Int32Array }> {
  const written = new IdTable();
  const categories = new Map<string, number>();
  let offsets = new Float64Array(1024);
  let lengths = new Uint32Array(1024);
  let category = new Uint32Array(1024);
  let ordinal = new Int32Array(1024);
  let n = 0;
  let position = 0;
  let carry: Buffer = Buffer.alloc(0);
  const take = (line: Buffer, offset: number) => {
    if (line.length === 0) return;
    let e: OutcomeLogEntry;
    try {
      e = JSON.parse(line.toString('utf8')) as OutcomeLogEntry;
    } catch {
      return;
    }
    if (e.status !== 'rejected' && e.status !== 'duplicate') return;
    if (written.has(e.id) || tally.isAccepted(e.id)) return;
    const final = tally.outcomeOf(e.id);
    if (!final || final.status !== e.status || final.reason !== e.reason || final.repairs !== e.repairs)
      return;
    if (n === offsets.length) {
      offsets = growTypedArray(offsets, n * 2);
      lengths = growTypedArray(lengths, n * 2);
      category = growTypedArray(category, n * 2);
      ordinal = growTypedArray(ordinal, n * 2);
    }
    offsets[n] = offset;
    lengths[n] = line.length;
    let c = categories.get(e.category);
    if (c === undefined) categories.set(e.category, (c = categories.size));
    category[n] = c;
    ordinal[n] = written.add(e.id);
    n++;
  };
  for await (const chunk of createReadStream(logPath) as AsyncIterable<Buffer>) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const base = position - carry.length;
    let start = 0;
    for (let nl = data.indexOf(0x0a, start); nl >= 0; nl = data.indexOf(0x0a, start)) {
      take(data.subarray(start, nl), base + start);
      start = nl + 1;
    }
    carry = Buffer.from(data.subarray(start));
    position += chunk.length;
  }
  // A last line without a newline is torn (the log's loader cuts it off): not an outcome.
  const rank = new Uint32Array(categories.size);
  [...categories.keys()]
    .map((name, index) => ({ name, index }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .forEach((c, r) => {
      rank[c.index] = r;
    });
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort(
    (a, b) => rank[category[a]!]! - rank[category[b]!]! || written.compareOrdinals(ordinal[a]!, ordinal[b]!),
  );
  return { offsets, lengths, order };
}
