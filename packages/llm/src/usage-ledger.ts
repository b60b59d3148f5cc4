/** Counters for one slice of usage (a plugin, a category, or everything). */
export interface UsageCounters {
  /** Logical calls that returned a result (including cache hits). */
  calls: number;
  /** HTTP requests sent (first attempts, retries and re-asks). */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cacheHits: number;
  /** 429 and 503 answers. */
  throttled: number;
  retries: number;
  /** Re-asks after invalid JSON or a schema failure. */
  invalidOutputs: number;
  /** Calls that ended in an error. */
  failures: number;
}

/** What an endpoint has spent in this process, from `client.usage()`. */
export interface UsageReport {
  endpoint: string;
  model: string;
  totals: UsageCounters;
  byPlugin: Record<string, UsageCounters>;
  byCategory: Record<string, UsageCounters>;
  tokenBudget: number | undefined;
  /** Tokens left in the budget (undefined without a budget). */
  budgetRemaining: number | undefined;
  /** The configured maximum and the current AIMD limit. */
  concurrency: { max: number; current: number; inFlight: number; waiting: number };
}

/** Category key used when a request names none. */
export const NO_CATEGORY = '(none)';

function zero(): UsageCounters {
  return {
    calls: 0,
    requests: 0,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    cacheHits: 0,
    throttled: 0,
    retries: 0,
    invalidOutputs: 0,
    failures: 0,
  };
}

type CounterDelta = Partial<UsageCounters>;

/** Adds every usage delta to the totals, the plugin's and the category's counters at once. */
export class UsageLedger {
  readonly totals = zero();
  private readonly plugins = new Map<string, UsageCounters>();
  private readonly categories = new Map<string, UsageCounters>();

  add(plugin: string, category: string | undefined, delta: CounterDelta): void {
    const p = this.plugins.get(plugin) ?? zero();
    this.plugins.set(plugin, p);
    const key = category ?? NO_CATEGORY;
    const c = this.categories.get(key) ?? zero();
    this.categories.set(key, c);
    for (const target of [this.totals, p, c]) {
      for (const [k, v] of Object.entries(delta) as Array<[keyof UsageCounters, number]>) target[k] += v;
    }
  }

  snapshot(): {
    totals: UsageCounters;
    byPlugin: Record<string, UsageCounters>;
    byCategory: Record<string, UsageCounters>;
  } {
    const copy = (m: Map<string, UsageCounters>) =>
      Object.fromEntries(
        [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { ...v }]),
      );
    return { totals: { ...this.totals }, byPlugin: copy(this.plugins), byCategory: copy(this.categories) };
  }
}
