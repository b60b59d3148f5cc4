import { TaneError, type TaneRecord, type Transport } from '@tane/core';
import { readPipelineFile } from '@tane/core/engine';
import type { Command } from 'commander';
import { addCommonOptions, type CommonOptions, loggerFor, transportFor } from '../context.ts';
import { ExitCode } from '../exit-codes.ts';
import { readRecords } from '../read-records.ts';

interface DlqFlags extends CommonOptions {
  pipeline?: string;
  prefix?: string;
  topic?: string;
}

interface DlqData {
  stage?: string;
  error?: { code?: string; message?: string; where?: string; hint?: string };
  attempts?: number;
  record?: TaneRecord;
  raw?: string;
  source?: { topic?: string; partition?: number; offset?: number };
}

function dlqTopic(opts: DlqFlags): string {
  if (opts.topic) return opts.topic;
  const prefix =
    opts.prefix ?? (opts.pipeline ? readPipelineFile(opts.pipeline).spec.topics.prefix : 'tane.');
  return `${prefix}dlq`;
}

async function entries(transport: Transport, topic: string): Promise<TaneRecord[]> {
  const out: TaneRecord[] = [];
  for await (const r of readRecords(transport, topic)) if (r.type === 'dlq') out.push(r);
  return out;
}

const oneLine = (s: string | undefined, max: number) => {
  const t = (s ?? '').replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

function withTopicOptions(cmd: Command): Command {
  return addCommonOptions(cmd)
    .option('--pipeline <file>', 'take the topic prefix from this pipeline file')
    .option('--prefix <prefix>', 'topic prefix (default: from --pipeline, else tane.)')
    .option('--topic <topic>', 'the physical dead-letter topic (default: <prefix>dlq)');
}

export function dlqCommand(program: Command): void {
  const dlq = program
    .command('dlq')
    .summary('look at dead-lettered records and send them back once the cause is fixed')
    .description(
      'Every record a stage failed on is on the dlq topic with the stage, the error (code, message, where, hint), ' +
        'the attempts and the source topic/offset. `list` shows them, `show` prints one, and `retry` publishes ' +
        'the failed records again to their source topic, with the retry counted in meta.dlqRetries, so a ' +
        'running or next `tane run` processes them again.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ tane dlq list --pipeline examples/ja-business/pipeline.yaml
  $ tane dlq show 3f9c0a6e21b4d8a1c2e0f7b5 --pipeline examples/ja-business/pipeline.yaml
  $ tane dlq retry --code LLM_CONFIG --pipeline examples/ja-business/pipeline.yaml   # after fixing the key
  $ tane dlq retry --all --pipeline examples/ja-business/pipeline.yaml`,
    );

  withTopicOptions(dlq.command('list').description('one line per dead-lettered record')).action(
    async (opts: DlqFlags) => {
      const transport = await transportFor(opts, loggerFor(opts));
      try {
        const topic = dlqTopic(opts);
        const list = await entries(transport, topic);
        for (const r of list) {
          const d = r.data as DlqData;
          const src = d.source ? `${d.source.topic}/${d.source.partition}@${d.source.offset}` : '?';
          process.stdout.write(
            `${r.id}  ${d.stage ?? '?'}  ${d.error?.code ?? '?'}  attempts=${d.attempts ?? '?'}  ${src}  ${oneLine(d.error?.message, 100)}\n`,
          );
        }
        process.stdout.write(
          `${list.length} dead-lettered record${list.length === 1 ? '' : 's'} on ${topic}\n`,
        );
      } finally {
        await transport.close();
      }
    },
  );

  withTopicOptions(
    dlq.command('show').description('one dead-lettered record in full').argument('<id>', 'the dlq record id'),
  ).action(async (id: string, opts: DlqFlags) => {
    const transport = await transportFor(opts, loggerFor(opts));
    try {
      const topic = dlqTopic(opts);
      const found = (await entries(transport, topic)).find((r) => r.id === id);
      if (!found) {
        throw new TaneError('USAGE', `no dead-lettered record ${id} on ${topic}`, {
          hint: 'see the ids with `tane dlq list`',
        });
      }
      process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
    } finally {
      await transport.close();
    }
  });

  withTopicOptions(
    dlq
      .command('retry')
      .description('publish failed records again to their source topic (the retry is counted)')
      .argument('[ids...]', 'dlq record ids (or --all, --code, --stage)')
      .option('--all', 'every dead-lettered record')
      .option('--code <code>', 'only records that failed with this error code')
      .option('--stage <stage>', 'only records that failed in this stage'),
  ).action(async (ids: string[], opts: DlqFlags & { all?: boolean; code?: string; stage?: string }) => {
    if (ids.length === 0 && !opts.all && !opts.code && !opts.stage) {
      throw new TaneError('USAGE', 'say which records to retry', {
        hint: 'give dlq ids, or --all, --code <code> or --stage <stage>',
      });
    }
    const transport = await transportFor(opts, loggerFor(opts));
    try {
      const topic = dlqTopic(opts);
      const wanted = new Set(ids);
      const chosen = (await entries(transport, topic)).filter((r) => {
        const d = r.data as DlqData;
        if (wanted.size > 0 && !wanted.has(r.id)) return false;
        if (opts.code && d.error?.code !== opts.code) return false;
        if (opts.stage && d.stage !== opts.stage) return false;
        return true;
      });
      const bySource = new Map<string, TaneRecord[]>();
      let skipped = 0;
      for (const r of chosen) {
        const d = r.data as DlqData;
        if (!d.record || !d.source?.topic) {
          skipped++;
          process.stderr.write(
            `✗ ${r.id}: not a valid record when it failed (raw message); it cannot be retried\n`,
          );
          continue;
        }
        const retries = Number((d.record.meta as { dlqRetries?: unknown }).dlqRetries ?? 0) + 1;
        const again: TaneRecord = { ...d.record, meta: { ...d.record.meta, dlqRetries: retries } };
        bySource.set(d.source.topic, [...(bySource.get(d.source.topic) ?? []), again]);
      }
      const producer = await transport.producer();
      let sent = 0;
      try {
        for (const [source, records] of bySource) {
          // A retry already published (same id, same retry count) is not sent twice.
          const there = new Set<string>();
          for await (const r of readRecords(transport, source)) {
            there.add(`${r.id}#${(r.meta as { dlqRetries?: unknown }).dlqRetries ?? 0}`);
          }
          const todo = records.filter(
            (r) => !there.has(`${r.id}#${(r.meta as { dlqRetries: number }).dlqRetries}`),
          );
          skipped += records.length - todo.length;
          if (todo.length > 0)
            await producer.send(todo.map((value) => ({ topic: source, key: value.category, value })));
          sent += todo.length;
          process.stdout.write(
            `published ${todo.length} record${todo.length === 1 ? '' : 's'} again to ${source}\n`,
          );
        }
      } finally {
        await producer.close();
      }
      process.stdout.write(
        `${sent} retried, ${skipped} skipped; run the pipeline (tane run …) to process them again\n`,
      );
      process.exitCode = skipped > 0 && sent === 0 && chosen.length > 0 ? ExitCode.PARTIAL : ExitCode.OK;
    } finally {
      await transport.close();
    }
  });
}
