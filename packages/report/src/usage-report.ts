/** Token use of one plugin, one category, or the whole run. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  requests: number;
  cacheHits?: number;
  throttled?: number;
  retries?: number;
}

/** `usage.json` of a dataset folder (written from `LlmClient.usage()`). */
export interface UsageReport {
  totals: TokenUsage;
  byPlugin: Record<string, TokenUsage>;
  byCategory: Record<string, TokenUsage>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function readUsage(v: unknown): TokenUsage {
  const o = isObject(v) ? v : {};
  const tokens = isObject(o.tokens) ? o.tokens : {};
  const u: TokenUsage = {
    promptTokens: num(o.promptTokens) ?? num(o.prompt) ?? num(tokens.prompt) ?? 0,
    completionTokens: num(o.completionTokens) ?? num(o.completion) ?? num(tokens.completion) ?? 0,
    requests: num(o.requests) ?? 0,
  };
  const cacheHits = num(o.cacheHits);
  const throttled = num(o.throttled) ?? num(o.rateLimited);
  const retries = num(o.retries);
  if (cacheHits !== undefined) u.cacheHits = cacheHits;
  if (throttled !== undefined) u.throttled = throttled;
  if (retries !== undefined) u.retries = retries;
  return u;
}

function readMap(v: unknown): Record<string, TokenUsage> {
  if (!isObject(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, u]) => [k, readUsage(u)]));
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const sum = (x: number | undefined, y: number | undefined) =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
  const out: TokenUsage = {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    requests: a.requests + b.requests,
  };
  const cacheHits = sum(a.cacheHits, b.cacheHits);
  const throttled = sum(a.throttled, b.throttled);
  const retries = sum(a.retries, b.retries);
  if (cacheHits !== undefined) out.cacheHits = cacheHits;
  if (throttled !== undefined) out.throttled = throttled;
  if (retries !== undefined) out.retries = retries;
  return out;
}

function mergeMaps(a: Record<string, TokenUsage>, b: Record<string, TokenUsage>): Record<string, TokenUsage> {
  const out = { ...a };
  for (const [k, u] of Object.entries(b)) out[k] = out[k] ? addUsage(out[k], u) : u;
  return out;
}

/**
 * Reads a parsed `usage.json` tolerantly: one usage report, or a list of them
 * (one per model endpoint), which are added up. Totals are summed from the
 * plugins when missing.
 */
export function normalizeUsage(raw: unknown): UsageReport {
  if (Array.isArray(raw)) {
    return raw.map(normalizeUsage).reduce(
      (acc, u) => ({
        totals: addUsage(acc.totals, u.totals),
        byPlugin: mergeMaps(acc.byPlugin, u.byPlugin),
        byCategory: mergeMaps(acc.byCategory, u.byCategory),
      }),
      { totals: { promptTokens: 0, completionTokens: 0, requests: 0 }, byPlugin: {}, byCategory: {} },
    );
  }
  const o = isObject(raw) ? raw : {};
  const byPlugin = readMap(o.byPlugin);
  const byCategory = readMap(o.byCategory);
  let totals = isObject(o.totals) ? readUsage(o.totals) : undefined;
  if (!totals) {
    totals = { promptTokens: 0, completionTokens: 0, requests: 0 };
    for (const u of Object.values(byPlugin)) {
      totals.promptTokens += u.promptTokens;
      totals.completionTokens += u.completionTokens;
      totals.requests += u.requests;
    }
  }
  return { totals, byPlugin, byCategory };
}
