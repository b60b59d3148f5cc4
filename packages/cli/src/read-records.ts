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

/**
 * Follows a topic across calls: each {@link catchUp} reads from where the last one stopped to the
 * topic's current end and feeds the valid records to `sink`, so a loop that looks at a growing
 * topic once per round reads each message once instead of the whole topic every time.
 */
export class DatasetFollower<S extends { add(record: TaneRecord): unknown }> {
  readonly #next = new Map<number, number>();

  constructor(
    private readonly transport: Transport,
    private readonly topic: string,
    readonly sink: S,
  ) {}

  /** Reads what the topic gained since the last call (nothing if it does not exist yet). */
  async catchUp(): Promise<S> {
    if (!(await this.transport.listTopics()).some((t) => t.name === this.topic)) return this.sink;
    const from = [...this.#next].map(([partition, offset]) => ({ partition, offset }));
    for await (const m of this.transport.read(this.topic, from.length > 0 ? { from } : {})) {
      this.#next.set(m.partition, Math.max(this.#next.get(m.partition) ?? 0, m.offset + 1));
      try {
        this.sink.add(parseRecord(m.value));
      } catch {
        // invalid messages are the engine's to dead-letter, not ours to count
      }
    }
    return this.sink;
  }
}
