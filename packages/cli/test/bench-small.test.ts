import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makespan, main as saturation } from '../../../bench/endpoint-saturation.ts';
import { main as pipelineScale } from '../../../bench/pipeline-scale.ts';

const outFile = (name: string) => join(mkdtempSync(join(tmpdir(), 'tane-bench-small-')), name);

// The small versions of bench/pipeline-scale.ts and bench/endpoint-saturation.ts.
describe('bench/pipeline-scale at 400 rows', () => {
  it('reaches the target balanced, and reports CPU per row and per model call, RSS samples and the calls made', async () => {
    const out = outFile('scale.json');
    await pipelineScale(['--rows', '400', '--out', out]);
    const r = JSON.parse(readFileSync(out, 'utf8'));
    expect(r.accepted).toBeGreaterThanOrEqual(400);
    expect(r.balanced).toBe(true);
    expect(r.generated).toBeGreaterThanOrEqual(r.accepted);
    expect(r.samples.length).toBeGreaterThan(0);
    expect(r.peakRssMiB).toBeGreaterThan(0);
    expect(r.cpuMsPerAcceptedRow).toBeGreaterThan(0);
    // every accepted row was judged at least once (candidates the generator's own filters drop
    // never reach the judge), and each generation call wrote several candidates
    expect(r.llmCalls.judge).toBeGreaterThanOrEqual(r.accepted);
    expect(r.llmCalls.judge).toBeLessThanOrEqual(r.llmCalls.total);
    expect(r.llmCalls.generate).toBeGreaterThan(0);
    expect(r.llmCalls.generate).toBeLessThan(r.generated);
    expect(r.cpuMsPerLlmCall).toBeGreaterThan(0);
  }, 180_000);
});

describe('bench/endpoint-saturation at 300 requests', () => {
  it('keeps every slot busy and compares the run with the greedy schedule of its own latencies', async () => {
    const out = outFile('saturation.json');
    await saturation(['--requests', '300', '--limit', '32', '--out', out]);
    const r = JSON.parse(readFileSync(out, 'utf8'));
    expect(r.maxConcurrentSeen).toBe(32);
    expect(r.longestFirstMs).toBeLessThanOrEqual(r.greedyScheduleMs);
    expect(r.greedyScheduleMs).toBeLessThanOrEqual(r.wallMs * 1.05);
    expect(r.ratioToGreedy).toBeGreaterThan(0);
  }, 120_000);

  it('makespan: slots take requests in order as they free up', () => {
    expect(makespan([5, 1, 1, 1, 1], 2)).toBe(5);
    expect(makespan([1, 1, 1, 1, 5], 2)).toBe(7);
    expect(makespan([3, 3, 3], 5)).toBe(3);
    expect(makespan([], 4)).toBe(0);
  });
});
