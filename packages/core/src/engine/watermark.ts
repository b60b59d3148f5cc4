/**
 * Tracks which offsets of one partition are done and what may be committed.
 *
 * Records complete out of order (concurrent LLM calls), but an offset may only
 * be committed once it and every offset before it are done: the committable
 * offset is one past the end of the contiguous done prefix. Offsets are kept in
 * delivery order, not assumed dense, because Kafka topics may have gaps
 * (compaction, transaction markers).
 */
export class PartitionWatermark {
  private readonly queue: number[] = [];
  private readonly done = new Set<number>();
  private head = 0;
  private next: number | undefined;
  /** Offsets tracked since the start. */
  delivered = 0;
  /** Offsets in the contiguous done prefix since the start (committable ones). */
  doneCount = 0;

  /** Registers a delivered offset (in delivery order). */
  track(offset: number): void {
    this.queue.push(offset);
    this.delivered++;
  }

  /** Marks a tracked offset as done (every record derived from it is terminal). */
  complete(offset: number): void {
    this.done.add(offset);
    while (this.head < this.queue.length && this.done.has(this.queue[this.head]!)) {
      const o = this.queue[this.head]!;
      this.done.delete(o);
      this.next = o + 1;
      this.head++;
      this.doneCount++;
    }
    // Compact the array now and then so a long run does not grow it without bound.
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The offset to commit (the next one to read), or undefined if nothing new is done. */
  committable(): number | undefined {
    return this.next;
  }

  /** Offsets delivered and not yet done. */
  get pending(): number {
    return this.queue.length - this.head;
  }
}
