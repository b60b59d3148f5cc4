/**
 * The local transport's throughput: 100k records produced in batches of 500,
 * then consumed through a consumer group that commits every 1,000 records.
 *
 *   node --import tsx bench/transport-local.ts [--records 100000] [--quick]
 *
 * `--quick` runs 20,000 records instead of 100,000. Writes
 * bench/results/transport-local.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLocalTransport } from '@tane/transport-local';
import { measureTransport, recordCount, writeResult } from './fixtures/measure-transport.ts';

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { records: { type: 'string' }, quick: { type: 'boolean' } },
  });
  const quick = values.quick ?? false;
  const records = recordCount(values);
  const dir = mkdtempSync(join(tmpdir(), 'tane-bench-local-'));
  const transport = await createLocalTransport({ path: join(dir, 'tane.db') });
  try {
    const m = await measureTransport(transport, {
      records,
      topic: 'bench.generated',
      group: 'bench',
    });
    writeResult('transport-local', {
      date: new Date().toISOString(),
      node: process.version,
      records,
      ...(quick ? { quick: true } : {}),
      ...m,
      synchronous: 'normal',
    });
  } finally {
    await transport.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
