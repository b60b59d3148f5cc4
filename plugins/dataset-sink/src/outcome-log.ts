import { mkdir, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OutcomeLogEntry } from './dataset-row.ts';

/**
 * The sink's record of candidates that did not end in the dataset (rejected,
 * duplicate, dead-lettered), one JSON line each with the example, appended and
 * fsynced before `handle` resolves; `rejected.jsonl` and `duplicates.jsonl`
 * are rebuilt from it. Unlike shards it is only appended to: a crash can leave
 * at most a torn last line, which `load` cuts off.
 */
/**
 * @example
 * ```ts
 * const log = new OutcomeLog('dataset/.tane/outcomes.jsonl');
 * await log.load((e) => tally.addOutcome(e));
 * await log.append([{ id: 'c1', category: 'email-reply', status: 'duplicate', reason: 'near', repairs: 0 }]);
 * ```
 */
export class OutcomeLog {
  constructor(readonly path: string) {}

  /** Reads every entry in order; a torn last line from a crash is removed from the file. */
  async load(onEntry: (entry: OutcomeLogEntry) => void): Promise<number> {
    await mkdir(dirname(this.path), { recursive: true });
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) await truncate(this.path, Buffer.byteLength(text.slice(0, end), 'utf8'));
    let n = 0;
    for (const line of text.slice(0, end).split('\n')) {
      if (line === '') continue;
      try {
        onEntry(JSON.parse(line) as OutcomeLogEntry);
        n++;
      } catch {
        // a line cannot be torn except the last, which is cut above
      }
    }
    return n;
  }

  /** Appends entries and fsyncs. */
  async append(entries: OutcomeLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const handle = await open(this.path, 'a');
    try {
      await handle.write(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
