import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startFixture } from './fixtures/spawn-fixture.ts';

interface Snapshot {
  highs: number[];
  committed: number[];
}

/** Reads the store the way an operator would, and checks what must hold after any crash. */
function inspect(db: string, topic: string, group: string): Snapshot {
  const sqlite = new Database(db, { readonly: true });
  try {
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    const topicId = (sqlite.prepare('SELECT id FROM topics WHERE name = ?').get(topic) as { id: number }).id;
    const highs: number[] = [];
    const committed: number[] = [];
    for (let p = 0; p < 3; p++) {
      const high = (
        sqlite
          .prepare('SELECT next_offset FROM partitions WHERE topic_id = ? AND partition = ?')
          .get(topicId, p) as {
          next_offset: number;
        }
      ).next_offset;
      const stats = sqlite
        .prepare(
          'SELECT COUNT(*) AS n, COUNT(DISTINCT offset) AS distinctOffsets, MIN(offset) AS low, MAX(offset) AS last FROM messages WHERE topic_id = ? AND partition = ?',
        )
        .get(topicId, p) as { n: number; distinctOffsets: number; low: number | null; last: number | null };
      // Dense: offsets 0 … high-1, each exactly once.
      expect(stats.n, `partition ${p} count`).toBe(high);
      expect(stats.distinctOffsets).toBe(high);
      if (high > 0) {
        expect(stats.low).toBe(0);
        expect(stats.last).toBe(high - 1);
      }
      const row = sqlite
        .prepare('SELECT offset FROM group_offsets WHERE group_id = ? AND topic_id = ? AND partition = ?')
        .get(group, topicId, p) as { offset: number } | undefined;
      const c = row?.offset ?? 0;
      expect(c, `partition ${p} committed ≤ high`).toBeLessThanOrEqual(high);
      highs.push(high);
      committed.push(c);
    }
    // A batch is one transaction: every batch is there whole, or not at all.
    const batches = sqlite
      .prepare(
        "SELECT json_extract(value, '$.data.batch') AS batch, json_extract(value, '$.data.size') AS size, COUNT(*) AS n, COUNT(DISTINCT json_extract(value, '$.data.index')) AS distinctIndexes FROM messages WHERE topic_id = ? GROUP BY batch",
      )
      .all(topicId) as Array<{ batch: string; size: number; n: number; distinctIndexes: number }>;
    for (const b of batches) {
      expect(b.n, `batch ${b.batch}`).toBe(b.size);
      expect(b.distinctIndexes).toBe(b.size);
    }
    return { highs, committed };
  } finally {
    sqlite.close();
  }
}

describe('crash safety under kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tane-local-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps produced messages and committed offsets consistent across repeated SIGKILLs', async () => {
    const db = join(dir, 'tane.db');
    const topic = 'crash';
    const group = 'crash-group';
    let previous: Snapshot = { highs: [0, 0, 0], committed: [0, 0, 0] };
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      const worker = startFixture('crash-worker', { db, topic, group });
      await worker.waitFor('ready', (events) => events.some((e) => e.ev === 'ready'), 60_000);
      // The killed worker's lease names a dead pid, so the restart owns every partition at once.
      expect(worker.events.find((e) => e.ev === 'ready')?.assignment).toBe(3);
      await sleep(150 + Math.floor(Math.random() * 600));
      worker.child.kill('SIGKILL');
      const exit = await worker.exited;
      expect(exit.signal).toBe('SIGKILL');

      const now = inspect(db, topic, group);
      for (let p = 0; p < 3; p++) {
        expect(now.highs[p]).toBeGreaterThanOrEqual(previous.highs[p]!);
        expect(now.committed[p]).toBeGreaterThanOrEqual(previous.committed[p]!);
      }
      // The restarted member started each partition exactly at the last commit before the crash.
      for (const first of worker.events.filter((e) => e.ev === 'first')) {
        const p = first.partition as number;
        expect(first.offset, `round ${round}, partition ${p}`).toBe(previous.committed[p]);
      }
      previous = now;
    }
    const produced = previous.highs.reduce((a, b) => a + b, 0);
    const committed = previous.committed.reduce((a, b) => a + b, 0);
    expect(produced).toBeGreaterThan(0);
    expect(committed).toBeGreaterThan(0);
  }, 180_000);
});
