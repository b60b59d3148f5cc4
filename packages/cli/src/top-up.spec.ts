import { TaneError, type TaneRecord, type Transport, taskRound } from '@tane/core';
import { createMemoryTransport, type LoadedPipeline } from '@tane/core/engine';
import { parseCategories } from '@tane/plugin-category-router';
import { makeRecord } from '@tane/testkit';
import { describe, expect, it } from 'vitest';
import { publishRecords } from './publish-records.ts';
import { readRecords } from './read-records.ts';
import { topUp, waitForGroup } from './top-up.ts';

/** A transport whose offset reads fail `failures` times (retryable or not), then show the group caught up. */
function flakyTransport(failures: number, retryable: boolean): { transport: Transport; reads: () => number } {
  let reads = 0;
  const transport = {
    async offsets() {
      reads++;
      if (reads <= failures) {
        throw new TaneError('TRANSPORT_ERROR', 'no broker answers', { retryable });
      }
      return [{ partition: 0, low: 0, high: 4 }];
    },
    async committedOffsets() {
      return [{ partition: 0, offset: 4 }];
    },
  } as unknown as Transport;
  return { transport, reads: () => reads };
}

describe('waitForGroup', () => {
  it('waits out a broker outage (retryable errors) and returns once the group is caught up', async () => {
    const { transport, reads } = flakyTransport(2, true);
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) } as never;
    await waitForGroup(transport, 'g', ['t'], { logger });
    expect(reads()).toBe(3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('no broker answers');
  });

  it('throws an error that is not retryable at once, and a retryable one after maxOutageMs', async () => {
    await expect(waitForGroup(flakyTransport(1, false).transport, 'g', ['t'])).rejects.toThrow(
      'no broker answers',
    );
    const long = flakyTransport(100, true);
    await expect(waitForGroup(long.transport, 'g', ['t'], { maxOutageMs: 1500 })).rejects.toThrow(
      'no broker answers',
    );
    expect(long.reads()).toBeGreaterThanOrEqual(2);
    expect(long.reads()).toBeLessThan(5);
  });
});

describe('waitForGroup progress', () => {
  it('warns when the group makes no progress, naming the offsets to go', async () => {
    let reads = 0;
    const transport = {
      async offsets() {
        reads++;
        return [{ partition: 0, low: 0, high: 10 }];
      },
      async committedOffsets() {
        return [{ partition: 0, offset: reads < 4 ? 7 : 10 }];
      },
    } as unknown as Transport;
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) } as never;
    await waitForGroup(transport, 'g', ['t'], { logger, stallWarnMs: 1500 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('group g has 3 offsets of t to go');
  });
});

describe('topUp after an interruption', () => {
  const categories = parseCategories(`version: 1
language: en
categories:
  - { id: qa, name: Q&A, description: Questions and answers., target: 40 }
  - { id: sum, name: Summaries, description: Summaries of short texts., target: 40 }
`);
  const pipeline = { spec: { topics: { prefix: 't.', partitions: 2 } } } as unknown as LoadedPipeline;
  const logger = { info() {}, warn() {} } as never;

  /** The workers: each task not yet processed gives 3 accepted rows of its round (the first `limit` tasks only). */
  async function work(transport: Transport, done: Set<string>, limit = Number.POSITIVE_INFINITY) {
    const rows: TaneRecord[] = [];
    for await (const task of readRecords(transport, 't.tasks')) {
      if (done.has(task.id) || done.size >= limit) continue;
      done.add(task.id);
      for (let i = 0; i < 3; i++)
        rows.push(
          makeRecord({
            id: `${task.id}-${i}`,
            type: 'candidate',
            category: task.category,
            data: { instruction: `${task.id} ${i}`, input: '', output: 'o' },
            meta: { generation: { round: taskRound(task) } },
          }),
        );
    }
    await publishRecords(transport, 't.dataset', rows, { partitions: 2, skipExisting: true });
  }
  const taskIds = async (transport: Transport) => {
    const ids: string[] = [];
    for await (const t of readRecords(transport, 't.tasks')) ids.push(`${t.id}@${taskRound(t)}`);
    return ids.sort();
  };
  const run = (transport: Transport, waitIdle: () => Promise<void>, maxRounds = 10) =>
    topUp({ transport, pipeline, categories, runId: 'r', logger, k: 4, maxRounds, waitIdle });

  it('plans the same rounds as an uninterrupted run, however far the last round had got', async () => {
    const straight = createMemoryTransport();
    const doneA = new Set<string>();
    const a = await run(straight, () => work(straight, doneA));
    expect(a.short).toEqual([]);

    // Stopped in round 1 while the workers had done only 3 of its tasks; then started again.
    const resumed = createMemoryTransport();
    const doneB = new Set<string>();
    await expect(
      run(resumed, async () => {
        await work(resumed, doneB, 3);
        throw new Error('the generate process was killed');
      }),
    ).rejects.toThrow('killed');
    const b = await run(resumed, () => work(resumed, doneB));
    expect(b.short).toEqual([]);
    expect(await taskIds(resumed)).toEqual(await taskIds(straight));
    expect(b.accepted).toEqual(a.accepted);
  });

  it('reads each message of the dataset topic once over all its rounds', async () => {
    const transport = createMemoryTransport();
    let datasetReads = 0;
    const counted = Object.create(transport) as Transport;
    counted.read = (topic, options) => {
      const inner = transport.read(topic, options);
      if (topic !== 't.dataset') return inner;
      return {
        async *[Symbol.asyncIterator]() {
          for await (const m of inner) {
            datasetReads++;
            yield m;
          }
        },
      };
    };
    const done = new Set<string>();
    const result = await run(counted, () => work(transport, done));
    expect(result.short).toEqual([]);
    expect(result.rounds).toBeGreaterThan(1);
    let onTopic = 0;
    for await (const _ of transport.read('t.dataset')) onTopic++;
    expect(onTopic).toBeGreaterThan(0);
    expect(datasetReads).toBe(onTopic);
  });
});
