import { describe, expect, it } from 'vitest';
import { abortOnShutdown } from './stage-runner.ts';

describe('abortOnShutdown', () => {
  it('aborts every record still in flight when the worker shuts down, and none that finished', () => {
    const shutdown = new AbortController();
    const records = Array.from({ length: 5000 }, () => new AbortController());
    const forget = records.map((a) => abortOnShutdown(shutdown.signal, a));
    for (let i = 0; i < 4990; i++) forget[i]!();
    shutdown.abort();
    expect(records.filter((a) => a.signal.aborted)).toHaveLength(10);
    expect(records.at(-1)!.signal.reason).toMatchObject({
      code: 'STAGE_ERROR',
      message: 'worker shutting down',
    });
    // A record that starts after the shutdown is aborted at once.
    const late = new AbortController();
    abortOnShutdown(shutdown.signal, late);
    expect(late.signal.aborted).toBe(true);
  });

  it('adds one listener to the shutdown signal however many records run', () => {
    const shutdown = new AbortController();
    let added = 0;
    const add = shutdown.signal.addEventListener.bind(shutdown.signal);
    shutdown.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      return add(...args);
    }) as typeof add;
    for (let i = 0; i < 100; i++) abortOnShutdown(shutdown.signal, new AbortController())();
    expect(added).toBe(1);
  });
});
