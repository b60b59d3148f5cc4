import { TaneError, type Transport } from '@tane/core';
import { describe, expect, it } from 'vitest';
import { waitForGroup } from './top-up.ts';

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
