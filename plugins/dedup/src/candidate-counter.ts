/**
 * Counts how many LSH bands each candidate record shares with the query, in a
 * small reusable hash table (cleared in O(1) by a generation number), so the
 * index can skip candidates that share too few bands without touching their
 * sketches.
 */
export class CandidateCounter {
  private keys = new Int32Array(4096);
  private counts = new Int32Array(4096);
  private generations = new Int32Array(4096);
  private generation = 1;
  private size = 0;

  /** Starts counting for a new query. */
  reset(): void {
    this.size = 0;
    this.generation = (this.generation + 1) | 0;
    if (this.generation === 0) {
      this.generations.fill(0);
      this.generation = 1;
    }
  }

  /** Counts one more shared band for `record` and returns its count so far. */
  add(record: number): number {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    const gen = this.generation;
    for (let i = Math.imul(record, 0x9e3779b1) >>> 0; ; i++) {
      const slot = i & mask;
      if (this.generations[slot] !== gen) {
        this.generations[slot] = gen;
        this.keys[slot] = record;
        this.counts[slot] = 1;
        this.size++;
        return 1;
      }
      if (this.keys[slot] === record) return ++this.counts[slot]!;
    }
  }

  private grow(): void {
    const { keys, counts, generations, generation } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.counts = new Int32Array(keys.length * 2);
    this.generations = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      if (generations[j] !== generation) continue;
      for (let i = Math.imul(keys[j]!, 0x9e3779b1) >>> 0; ; i++) {
        const slot = i & mask;
        if (this.generations[slot] !== generation) {
          this.generations[slot] = generation;
          this.keys[slot] = keys[j]!;
          this.counts[slot] = counts[j]!;
          break;
        }
      }
    }
  }
}
