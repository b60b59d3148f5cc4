import { TaneError } from '@tane/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EndpointLimiter, type Permit } from './endpoint-limiter.ts';

afterEach(() => {
  vi.useRealTimers();
});

function limiter(max: number, extra: { rpm?: number; tpm?: number } = {}) {
  return new EndpointLimiter({
    maxConcurrency: max,
    requestsPerMinute: extra.rpm,
    tokensPerMinute: extra.tpm,
    endpoint: 'http://127.0.0.1:1/v1',
  });
}

/** Resolves with the permits granted so far without waiting for the rest. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('EndpointLimiter', () => {
  it('never grants more slots than the limit and serves waiters in order', async () => {
    const l = limiter(2);
    const granted: number[] = [];
    const permits: Permit[] = [];
    for (let i = 0; i < 5; i++) {
      void l.acquire(1).then((p) => {
        granted.push(i);
        permits.push(p);
      });
    }
    await settle();
    expect(granted).toEqual([0, 1]);
    expect(l.waiting).toBe(3);
    l.release(permits[0]!, { kind: 'success', tokens: 1 });
    await settle();
    expect(granted).toEqual([0, 1, 2]);
    expect(l.active).toBe(2);
  });

  it('removes an aborted waiter from the queue and rejects it with LLM_ABORTED', async () => {
    const l = limiter(1);
    const first = await l.acquire(1);
    const controller = new AbortController();
    const aborted = l.acquire(1, controller.signal);
    const next = l.acquire(1);
    expect(l.waiting).toBe(2);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'LLM_ABORTED' });
    expect(l.waiting).toBe(1);
    l.release(first, { kind: 'success', tokens: 1 });
    await expect(next).resolves.toMatchObject({ released: false });
  });

  it('halves the limit once per congestion epoch and adds it back with successes', async () => {
    const l = limiter(8);
    const permits = await Promise.all(Array.from({ length: 8 }, () => l.acquire(1)));
    // All eight were granted in the same epoch: a burst of 429s halves only once.
    for (const p of permits.slice(0, 4)) l.release(p, { kind: 'throttled' });
    expect(l.concurrencyLimit).toBe(4);
    // Four are still in flight, which is the new limit: the next caller waits.
    let granted = false;
    const waiting = l.acquire(1).then((p) => {
      granted = true;
      return p;
    });
    await settle();
    expect(granted).toBe(false);
    for (const q of permits.slice(4)) l.release(q, { kind: 'throttled' });
    expect(l.concurrencyLimit).toBe(4);
    l.release(await waiting, { kind: 'success', tokens: 1 });
    let successes = 0;
    while (l.concurrencyLimit < 8) {
      const q = await l.acquire(1);
      l.release(q, { kind: 'success', tokens: 1 });
      successes++;
    }
    expect(successes).toBeGreaterThan(4);
    expect(successes).toBeLessThan(40);
    const floor = limiter(1);
    floor.release(await floor.acquire(1), { kind: 'throttled' });
    expect(floor.concurrencyLimit).toBe(1);
  });

  it('pauses new grants for the Retry-After of a throttled reply', async () => {
    vi.useFakeTimers();
    const l = limiter(4);
    l.release(await l.acquire(1), { kind: 'throttled', retryAfterMs: 2_000 });
    let granted = false;
    void l.acquire(1).then(() => {
      granted = true;
    });
    await vi.advanceTimersByTimeAsync(1_900);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(granted).toBe(true);
  });

  it('holds requests beyond requestsPerMinute until the window moves on', async () => {
    vi.useFakeTimers();
    const l = limiter(10, { rpm: 2 });
    l.release(await l.acquire(1), { kind: 'success', tokens: 1 });
    l.release(await l.acquire(1), { kind: 'success', tokens: 1 });
    let granted = false;
    void l.acquire(1).then(() => {
      granted = true;
    });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(granted).toBe(true);
  });

  it('holds requests beyond tokensPerMinute, counting actual usage', async () => {
    vi.useFakeTimers();
    const l = limiter(10, { tpm: 1_000 });
    l.release(await l.acquire(600), { kind: 'success', tokens: 900 });
    let granted = false;
    void l.acquire(200).then(() => {
      granted = true;
    });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(31_000);
    expect(granted).toBe(true);
  });

  it('rejects waiters when closed', async () => {
    const l = limiter(1);
    await l.acquire(1);
    const waiting = l.acquire(1);
    l.close();
    await expect(waiting).rejects.toBeInstanceOf(TaneError);
    await expect(l.acquire(1)).rejects.toMatchObject({ code: 'LLM_ABORTED' });
  });
});

describe('EndpointLimiter bookkeeping', () => {
  it('keeps no per-request history without per-minute limits, and a bounded one with them', async () => {
    let now = 0;
    const unlimited = new EndpointLimiter({
      endpoint: 'http://127.0.0.1:1',
      maxConcurrency: 4,
      now: () => now,
    });
    const limited = new EndpointLimiter({
      endpoint: 'http://127.0.0.1:1',
      maxConcurrency: 4,
      requestsPerMinute: 100_000,
      tokensPerMinute: 1e12,
      now: () => now,
    });
    for (const limiter of [unlimited, limited]) {
      for (let i = 0; i < 5000; i++) {
        now += 100; // 600 requests a minute
        const permit = await limiter.acquire(10);
        limiter.release(permit, { kind: 'success', tokens: 10 });
      }
    }
    const history = (l: object) => {
      const { starts, tokenWindow } = l as unknown as {
        starts: { size: number };
        tokenWindow: { size: number };
      };
      return [starts.size, tokenWindow.size];
    };
    expect(history(unlimited)).toEqual([0, 0]);
    // One minute of requests at most (plus the one that is checked against it).
    for (const n of history(limited)) expect(n).toBeLessThanOrEqual(601);
  });
});
