import { parseRecord, type TaneRecord, type Transport } from '@tane/core';

/** Ids already on a topic (for idempotent re-publishing). */
export async function idsOnTopic(transport: Transport, topic: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const m of transport.read(topic)) {
    try {
      ids.add(parseRecord(m.value).id);
    } catch {
      // not a record: ignore
    }
  }
  return ids;
}

/**
 * Publishes records to a physical topic (created with `partitions` if missing),
 * keyed by category. With `skipExisting`, records whose id is already on the
 * topic are not sent again, so publishing the same file twice is harmless.
 */
export async function publishRecords(
  transport: Transport,
  topic: string,
  records: TaneRecord[],
  options: { partitions: number; skipExisting: boolean; compacted?: boolean },
): Promise<{ published: number; skipped: number }> {
  await transport.createTopics([
    { name: topic, partitions: options.partitions, ...(options.compacted ? { compacted: true } : {}) },
  ]);
  let todo = records;
  if (options.skipExisting) {
    const existing = await idsOnTopic(transport, topic);
    todo = records.filter((r) => !existing.has(r.id));
  }
  const producer = await transport.producer();
  try {
    for (let i = 0; i < todo.length; i += 1000) {
      // A compacted topic keeps the newest value per key: key seeds by category/id so every seed survives.
      await producer.send(
        todo.slice(i, i + 1000).map((value) => ({
          topic,
          key: options.compacted ? `${value.category}/${value.id}` : value.category,
          value,
        })),
      );
    }
  } finally {
    await producer.close();
  }
  return { published: todo.length, skipped: records.length - todo.length };
}
