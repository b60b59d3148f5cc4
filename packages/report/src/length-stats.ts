/** A histogram bin: values in [from, to). The last bin of a histogram may be open (`to` = Infinity). */
export interface LengthBin {
  from: number;
  to: number;
  count: number;
}

/** Summary of a length distribution. */
export interface LengthSummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Collects lengths compactly (4 bytes each, so a million rows cost 4 MB) for
 * percentiles and histograms computed once at the end.
 */
export class LengthStats {
  private values = new Uint32Array(1024);
  private n = 0;
  private sum = 0;
  private sorted: Uint32Array | undefined;

  add(length: number): void {
    if (this.n === this.values.length) {
      const grown = new Uint32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = length;
    this.sum += length;
    this.sorted = undefined;
  }

  get count(): number {
    return this.n;
  }

  summary(): LengthSummary {
    if (this.n === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    return {
      count: this.n,
      mean: this.sum / this.n,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      max: this.quantile(1),
    };
  }

  quantile(q: number): number {
    if (this.n === 0) return 0;
    const s = this.sortedValues();
    return s[Math.min(this.n - 1, Math.max(0, Math.ceil(q * this.n) - 1))]!;
  }

  /**
   * About `target` bins of a round width from the shortest value up to the
   * 99th percentile; longer values go in a last open bin, so one outlier does
   * not squash the chart.
   */
  histogram(target = 20): LengthBin[] {
    if (this.n === 0) return [];
    const lo = this.quantile(0);
    const top = Math.max(lo + 1, this.quantile(0.99));
    const width = niceStep((top - lo) / target);
    const start = Math.floor(lo / width) * width;
    const bins: LengthBin[] = [];
    for (let from = start; from <= top; from += width) bins.push({ from, to: from + width, count: 0 });
    const last = bins[bins.length - 1]!;
    if (this.quantile(1) >= last.to) bins.push({ from: last.to, to: Number.POSITIVE_INFINITY, count: 0 });
    for (let i = 0; i < this.n; i++) {
      const idx = Math.min(bins.length - 1, Math.floor((this.values[i]! - start) / width));
      bins[idx]!.count++;
    }
    return bins;
  }

  private sortedValues(): Uint32Array {
    this.sorted ??= this.values.slice(0, this.n).sort();
    return this.sorted;
  }
}

/** 1, 2, 5, 10, 20, 50, … the smallest at least `raw`. */
export function niceStep(raw: number): number {
  if (raw <= 1) return 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}
