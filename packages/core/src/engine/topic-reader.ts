import type { TopicPositions } from '../plugin.ts';
import { parseRecord, type TaneRecord } from '../record.ts';
import type { Transport } from '../transport.ts';

/**
 * Reads a physical topic for a stage that rebuilds state, creating it first if
 * it does not exist yet. With `resume`, reading starts at those positions and
 * advances them as records are yielded, so the next read picks up where this
 * one ended. Messages that are not records are skipped (the engine
 * dead-letters such messages where it consumes them).
 */
export async function* readStageTopic(
  transport: Transport,
  topic: string,
  options: { follow: boolean; signal: AbortSignal; partitions: number; resume?: TopicPositions },
): AsyncIterable<TaneRecord> {
  const existing = await transport.listTopics();
  if (!existing.some((t) => t.name === topic)) {
    await transport.createTopics([{ name: topic, partitions: options.partitions }]);
  }
  const { resume } = options;
  const from = resume ? [...resume].map(([partition, offset]) => ({ partition, offset })) : undefined;
  for await (const m of transport.read(topic, {
    follow: options.follow,
    signal: options.signal,
    ...(from ? { from } : {}),
  })) {
    resume?.set(m.partition, m.offset + 1);
    if (m.control) continue;
    let record: TaneRecord;
    try {
      record = parseRecord(m.value);
    } catch {
      continue;
    }
    yield record;
  }
}
