import { parseRecord, type TaneRecord, type Transport } from '@tane/core';

/** The valid records of a topic, from the beginning to its current end (empty if the topic does not exist). */
export async function* readRecords(transport: Transport, topic: string): AsyncIterable<TaneRecord> {
  if (!(await transport.listTopics()).some((t) => t.name === topic)) return;
  for await (const m of transport.read(topic)) {
    try {
      yield parseRecord(m.value);
    } catch {
      // invalid messages are the engine's to dead-letter, not ours to count
    }
  }
}
