/**
 * Keeps a uniform random sample of `size` items from a stream of unknown
 * length (reservoir sampling), with a seeded generator so that the same
 * dataset always gives the same sample.
 */
export class SeededReservoir<T> {
  readonly items: T[] = [];
  private seen = 0;
  private state: number;

  constructor(
    private readonly size: number,
    seed: number,
  ) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  offer(item: T): void {
    this.seen++;
    if (this.items.length < this.size) {
      this.items.push(item);
      return;
    }
    const j = Math.floor(this.random() * this.seen);
    if (j < this.size) this.items[j] = item;
  }

  /** mulberry32 */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
