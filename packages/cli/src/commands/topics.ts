import { parseRecord } from '@tane/core';
import type { Command } from 'commander';
import { addCommonOptions, type CommonOptions, loggerFor, transportFor } from '../context.ts';
import { ExitCode } from '../exit-codes.ts';

export function topicsCommand(program: Command): void {
  const topics = program
    .command('topics')
    .summary('list, create and read topics')
    .description(
      'Inspect the topics of the embedded log or a Kafka cluster. Names here are physical (with prefix).',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ tane topics list
  $ tane topics create tane.tasks --partitions 8
  $ tane topics tail tane.dlq --limit 5
  $ tane topics tail tane.dataset --follow --transport kafka://127.0.0.1:9092`,
    );

  addCommonOptions(
    topics.command('list').description('every topic with partitions and message counts'),
  ).action(async (opts: CommonOptions) => {
    const logger = loggerFor(opts);
    const transport = await transportFor(opts, logger);
    try {
      const list = await transport.listTopics();
      const rows = [['topic', 'partitions', 'messages']];
      for (const t of list.sort((a, b) => a.name.localeCompare(b.name))) {
        const offs = await transport.offsets(t.name);
        rows.push([t.name, String(t.partitions), String(offs.reduce((n, o) => n + (o.high - o.low), 0))]);
      }
      const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows)
        process.stdout.write(
          `${r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')}\n`,
        );
      if (list.length === 0) process.stdout.write(`(no topics on ${transport.description})\n`);
    } finally {
      await transport.close();
    }
  });

  addCommonOptions(
    topics
      .command('create')
      .description('create a topic (nothing happens if it exists)')
      .argument('<topic>', 'physical topic name')
      .option('--partitions <n>', 'number of partitions', '4')
      .option('--compacted', 'keep only the newest record per key (for seeds)'),
  ).action(async (name: string, opts: CommonOptions & { partitions: string; compacted?: boolean }) => {
    const logger = loggerFor(opts);
    const transport = await transportFor(opts, logger);
    try {
      await transport.createTopics([
        { name, partitions: Number(opts.partitions), ...(opts.compacted ? { compacted: true } : {}) },
      ]);
      process.stdout.write(
        `topic ${name} ready (${opts.partitions} partitions) on ${transport.description}\n`,
      );
    } finally {
      await transport.close();
    }
  });

  addCommonOptions(
    topics
      .command('tail')
      .description('print the records of a topic as JSON lines')
      .argument('<topic>', 'physical topic name')
      .option('-n, --limit <n>', 'print at most n records (the last n unless --from-beginning)', '20')
      .option('--from-beginning', 'start at the first record')
      .option('-f, --follow', 'keep printing new records until Ctrl-C'),
  ).action(
    async (
      name: string,
      opts: CommonOptions & { limit: string; fromBeginning?: boolean; follow?: boolean },
    ) => {
      const logger = loggerFor(opts);
      const transport = await transportFor(opts, logger);
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      try {
        const limit = Number(opts.limit);
        const offsets = await transport.offsets(name);
        const from = opts.fromBeginning
          ? undefined
          : offsets.map((o) => ({
              partition: o.partition,
              offset: Math.max(o.low, o.high - Math.ceil(limit / Math.max(1, offsets.length))),
            }));
        let printed = 0;
        for await (const m of transport.read(name, {
          follow: !!opts.follow,
          signal: abort.signal,
          ...(from ? { from } : {}),
        })) {
          let line: string;
          try {
            line = JSON.stringify(parseRecord(m.value));
          } catch {
            line = JSON.stringify({
              invalid: true,
              partition: m.partition,
              offset: m.offset,
              raw: m.value.slice(0, 500),
            });
          }
          process.stdout.write(`${line}\n`);
          if (!opts.follow && ++printed >= limit) break;
        }
      } finally {
        await transport.close();
      }
      process.exitCode = ExitCode.OK;
    },
  );
}
