/**
 * Peak memory of a 1M-record run: a three-stage no-op pipeline on the embedded
 * log, in one process, with RSS sampled every second. The engine streams, so
 * memory must stay flat however many records pass. Writes
 * bench/results/memory-1m.json.
 *
 *   node --import tsx bench/memory-1m.ts [--records 1000000] [--quick]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { silentLogger } from '@tane/core';
import { Engine, loadPipeline } from '@tane/core/engine';
import { createLocalTransport } from '@tane/transport-local';
import { publishCandidates } from './fixtures/publish-candidates.ts';

const here = dirname(fileURLToPath(import.meta.url));
const noop = resolve(here, 'fixtures/noop-plugin.ts');
const mib = (b: number) => Math.round(b / 2 ** 20);

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { records: { type: 'string' }, quick: { type: 'boolean' } },
  });
  const records = Number(values.records ?? (values.quick ? 100_000 : 1_000_000));
  const dir = mkdtempSync(join(os.tmpdir(), 'tane-bench-mem-'));
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    `pipeline: memory
topics: { partitions: 4 }
inputs: { in: a }
stages:
  a: { plugin: ${noop}, routes: { out: b } }
  b: { plugin: ${noop}, routes: { out: c } }
  c: { plugin: ${noop}, routes: { out: topic:out } }
`,
  );
  const transport = await createLocalTransport({ path: join(dir, 'tane.db') });
  await transport.createTopics([{ name: 'tane.in', partitions: 4 }]);
  await publishCandidates(transport, 'tane.in', records, 2000);
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  const engine = new Engine({
    pipeline: await loadPipeline(file),
    transport,
    logger: silentLogger,
    dataDir: dir,
  });
  const samples: { t: number; consumed: number; rssMiB: number; heapMiB: number }[] = [];
  const t0 = performance.now();
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    samples.push({
      t: Math.round((performance.now() - t0) / 1000),
      consumed: engine.stats.consumed,
      rssMiB: mib(m.rss),
      heapMiB: mib(m.heapUsed),
    });
  }, 1000);
  await engine.start();
  await engine.waitUntilIdle({ quietMs: 300 });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  await engine.stop();
  await transport.close();
  const at = (share: number) => samples.find((s) => s.consumed >= records * share);
  const out = {
    benchmark: 'memory-1m',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    records,
    seconds: Number(seconds.toFixed(1)),
    recordsPerSecond: Math.round(records / seconds),
    baselineRssMiB: mib(baseline),
    peakRssMiB: Math.max(...samples.map((s) => s.rssMiB)),
    rssAt10pctMiB: at(0.1)?.rssMiB,
    rssAt50pctMiB: at(0.5)?.rssMiB,
    rssAt90pctMiB: at(0.9)?.rssMiB,
    peakHeapMiB: Math.max(...samples.map((s) => s.heapMiB)),
    samples: samples.filter((_, i) => i % Math.max(1, Math.floor(samples.length / 40)) === 0),
  };
  console.log(JSON.stringify({ ...out, samples: undefined }));
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'memory-1m.json'), `${JSON.stringify(out, null, 2)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
