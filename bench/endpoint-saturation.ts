import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { closeAllLlmClients, getLlmClient } from '@tane/llm';
import { startLlmSim } from '@tane/llm-sim';
import { writeResult } from './fixtures/write-result.ts';

export interface EndpointSaturationResult {
  date: string;
  node: string;
  cpus: number;
  requests: number;
  limit: number;
  meanLatencyMs: number;
  achievedRps: number;
  idealRps: number;
  ratio: number;
  /** Achieved ÷ ideal while the queue was not empty (before the drain tail). */
  steadyStateRatio: number;
  /**
   * Wall time of the greedy schedule of the same requests with the latencies drawn in this run:
   * each one started, in the order they started here, on the first of `limit` slots to free up.
   * It is what a client that keeps every slot busy achieves, drain tail included.
   */
  greedyScheduleMs: number;
  /** greedyScheduleMs ÷ wall time: how close the run came to keeping every slot busy. */
  ratioToGreedy: number;
  /** Wall time of the longest-first schedule: needs the latencies in advance, so a bound, not a goal. */
  longestFirstMs: number;
  /** When the last request started (the queue became empty). */
  queueEmptyAtMs: number;
  maxConcurrentSeen: number;
  wallMs: number;
}

const MEDIAN_MS = 800;
const P99_MS = 5_000;

/** When the last of `latencies` ends if each starts, in this order, on the first of `slots` slots to free up. */
export function makespan(latencies: readonly number[], slots: number): number {
  // A binary heap of the times the slots free up.
  const heap = new Array<number>(Math.min(slots, latencies.length)).fill(0);
  let end = 0;
  for (const latency of latencies) {
    const finish = heap[0]! + latency;
    end = Math.max(end, finish);
    heap[0] = finish;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && heap[l]! < heap[m]!) m = l;
      if (r < heap.length && heap[r]! < heap[m]!) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
  return end;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<EndpointSaturationResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string', default: '5000' },
      limit: { type: 'string', default: '64' },
      out: { type: 'string', default: 'bench/results/endpoint-saturation.json' },
    },
  });
  const requests = Number(values.requests);
  const limit = Number(values.limit);
  const sim = await startLlmSim({ seed: 1, latency: { medianMs: MEDIAN_MS, p99Ms: P99_MS } });
  const llm = getLlmClient({ baseURL: sim.url, cachePath: false, maxConcurrency: limit, timeoutMs: 60_000 });
  // Latency of each answered request, by request number, and the order the requests started in.
  const latencyOf = new Map<number, number>();
  const startOrder: number[] = [];
  let started = 0;
  let lastStartAt = 0;
  let completedAtLastStart = 0;
  llm.onEvent((e) => {
    if (e.type === 'response' && e.latencyMs !== undefined)
      latencyOf.set(Number(e.category?.slice(1)), e.latencyMs);
    if (e.type === 'request') {
      if (e.attempt === 1) startOrder.push(Number(e.category?.slice(1)));
      lastStartAt = performance.now() - started;
      completedAtLastStart = latencyOf.size;
    }
  });
  try {
    started = performance.now();
    let done = 0;
    const progress = setInterval(() => process.stderr.write(`\r${done}/${requests} done`), 2_000);
    await Promise.all(
      Array.from({ length: requests }, (_, i) =>
        llm
          .chat({
            plugin: 'bench@0',
            category: `r${i}`,
            messages: [{ role: 'user', content: `request ${i}` }],
          })
          .then(() => done++),
      ),
    );
    clearInterval(progress);
    process.stderr.write(`\r${done}/${requests} done\n`);
    const wallMs = performance.now() - started;
    let latencySum = 0;
    for (const ms of latencyOf.values()) latencySum += ms;
    const meanLatencyMs = latencySum / latencyOf.size;
    const achievedRps = requests / (wallMs / 1000);
    const idealRps = limit / (meanLatencyMs / 1000);
    const inOrder = startOrder.map((i) => latencyOf.get(i) ?? 0);
    const greedyScheduleMs = makespan(inOrder, limit);
    const longestFirstMs = makespan(
      [...inOrder].sort((a, b) => b - a),
      limit,
    );
    const result: EndpointSaturationResult = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: availableParallelism(),
      requests,
      limit,
      meanLatencyMs: Math.round(meanLatencyMs * 10) / 10,
      achievedRps: Math.round(achievedRps * 100) / 100,
      idealRps: Math.round(idealRps * 100) / 100,
      ratio: Math.round((achievedRps / idealRps) * 1000) / 1000,
      steadyStateRatio: Math.round((completedAtLastStart / (lastStartAt / 1000) / idealRps) * 1000) / 1000,
      greedyScheduleMs: Math.round(greedyScheduleMs),
      ratioToGreedy: Math.round((greedyScheduleMs / wallMs) * 1000) / 1000,
      longestFirstMs: Math.round(longestFirstMs),
      queueEmptyAtMs: Math.round(lastStartAt),
      maxConcurrentSeen: sim.stats().maxConcurrent,
      wallMs: Math.round(wallMs),
    };
    return writeResult(values.out, result);
  } finally {
    await closeAllLlmClients();
    await sim.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
