/** Outcome counts of one category (or of the whole run). Missing figures are 0. */
export interface OutcomeCounts {
  generated: number;
  accepted: number;
  repaired: number;
  rejected: number;
  duplicates: number;
  dlq: number;
  filtered: number;
}

/** What the manifest says about one category. */
export interface CategoryManifest extends OutcomeCounts {
  id: string;
  name?: string;
  target?: number;
  /** Judge scores 1–5 → how many examples got that score; undefined when the manifest has none. */
  judgeScores?: Record<1 | 2 | 3 | 4 | 5, number>;
  avgInstructionChars?: number;
  avgOutputChars?: number;
}

/** One shard file listed in the manifest. */
export interface ShardEntry {
  path: string;
  rows?: number;
  sha256?: string;
  category?: string;
}

/** `manifest.json` of a dataset folder, read tolerantly: every field but the categories may be missing. */
export interface DatasetManifest {
  runId?: string;
  pipeline?: string;
  createdAt?: string;
  /** Models as `role: model` or just `model`. */
  models: string[];
  /** Plugins as `name@version` (with the stage when known). */
  plugins: string[];
  categories: CategoryManifest[];
  totals: OutcomeCounts;
  /** What the manifest says; undefined when it does not say. */
  balanced?: boolean;
  shards: ShardEntry[];
  simulator: boolean;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

const OUTCOMES: (keyof OutcomeCounts)[] = [
  'generated',
  'accepted',
  'repaired',
  'rejected',
  'duplicates',
  'dlq',
  'filtered',
];

/** Zero counts. */
export function emptyCounts(): OutcomeCounts {
  return { generated: 0, accepted: 0, repaired: 0, rejected: 0, duplicates: 0, dlq: 0, filtered: 0 };
}

function readCounts(v: unknown): OutcomeCounts {
  const c = emptyCounts();
  if (!isObject(v)) return c;
  for (const k of OUTCOMES) c[k] = num(v[k]) ?? 0;
  // Accept the singular spellings too.
  c.duplicates ||= num(v.duplicate) ?? 0;
  c.dlq ||= num(v.deadLettered) ?? 0;
  return c;
}

/** Adds `b` into `a`. */
export function addCounts(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  for (const k of OUTCOMES) a[k] += b[k];
  return a;
}

function readScores(v: unknown): CategoryManifest['judgeScores'] {
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    return { 1: num(v[0]) ?? 0, 2: num(v[1]) ?? 0, 3: num(v[2]) ?? 0, 4: num(v[3]) ?? 0, 5: num(v[4]) ?? 0 };
  }
  if (!isObject(v) || Object.keys(v).length === 0) return undefined;
  return {
    1: num(v['1']) ?? 0,
    2: num(v['2']) ?? 0,
    3: num(v['3']) ?? 0,
    4: num(v['4']) ?? 0,
    5: num(v['5']) ?? 0,
  };
}

function readCategory(id: string, v: unknown): CategoryManifest {
  const o = isObject(v) ? v : {};
  const name = str(o.name);
  const target = num(o.target);
  const judgeScores = readScores(o.judgeScores ?? o.scores);
  const avgInstructionChars = num(o.avgInstructionChars);
  const avgOutputChars = num(o.avgOutputChars);
  return {
    id,
    ...readCounts(o),
    ...(name ? { name } : {}),
    ...(target !== undefined ? { target } : {}),
    ...(judgeScores ? { judgeScores } : {}),
    ...(avgInstructionChars !== undefined ? { avgInstructionChars } : {}),
    ...(avgOutputChars !== undefined ? { avgOutputChars } : {}),
  };
}

function readCategories(v: unknown): CategoryManifest[] {
  if (Array.isArray(v)) {
    return v.flatMap((c, i) => {
      if (!isObject(c)) return [];
      return [readCategory(str(c.id) ?? str(c.category) ?? `category-${i + 1}`, c)];
    });
  }
  if (isObject(v)) return Object.entries(v).map(([id, c]) => readCategory(id, c));
  return [];
}

function readModels(m: Json): string[] {
  const out: string[] = [];
  const add = (v: unknown, role?: string) => {
    if (typeof v === 'string' && v) out.push(role ? `${role}: ${v}` : v);
    else if (isObject(v)) {
      const name = str(v.model) ?? str(v.name) ?? str(v.id);
      if (name) out.push(role ? `${role}: ${name}` : name);
    }
  };
  for (const key of ['model', 'models']) {
    const v = m[key];
    if (Array.isArray(v)) for (const x of v) add(x);
    else if (isObject(v) && !('model' in v) && !('name' in v))
      for (const [role, x] of Object.entries(v)) add(x, role);
    else add(v);
  }
  return [...new Set(out)];
}

function readPlugins(v: unknown): string[] {
  const one = (p: unknown, key?: string): string | undefined => {
    if (typeof p === 'string') return key && !p.includes('@', 1) ? `${key}@${p}` : p;
    if (!isObject(p)) return undefined;
    const name = str(p.name) ?? str(p.plugin) ?? key;
    if (!name) return undefined;
    const version = str(p.version);
    const stage = str(p.stage);
    const ref = version && !name.includes('@', 1) ? `${name}@${version}` : name;
    return stage ? `${ref} (${stage})` : ref;
  };
  if (Array.isArray(v)) return v.flatMap((p) => one(p) ?? []);
  if (isObject(v)) return Object.entries(v).flatMap(([k, p]) => one(p, k) ?? []);
  return [];
}

function readShards(v: unknown): ShardEntry[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((s) => {
    if (typeof s === 'string') return [{ path: s }];
    if (!isObject(s) || !str(s.path)) return [];
    const rows = num(s.rows);
    const sha256 = str(s.sha256);
    const category = str(s.category);
    return [
      {
        path: str(s.path)!,
        ...(rows !== undefined ? { rows } : {}),
        ...(sha256 ? { sha256 } : {}),
        ...(category ? { category } : {}),
      },
    ];
  });
}

/**
 * Reads a parsed `manifest.json`. Unknown or missing fields are tolerated, so a
 * report can be made from an older or a partial manifest.
 */
export function normalizeManifest(raw: unknown): DatasetManifest {
  const m = isObject(raw) ? raw : {};
  const categories = readCategories(m.categories);
  const totals = isObject(m.totals)
    ? readCounts(m.totals)
    : categories.reduce((acc, c) => addCounts(acc, c), emptyCounts());
  const pipeline = str(m.pipeline) ?? (isObject(m.pipeline) ? str(m.pipeline.name) : undefined);
  const runId = str(m.runId);
  const createdAt = str(m.createdAt);
  return {
    ...(runId ? { runId } : {}),
    ...(pipeline ? { pipeline } : {}),
    ...(createdAt ? { createdAt } : {}),
    models: readModels(m),
    plugins: readPlugins(m.plugins),
    categories,
    totals,
    ...(typeof m.balanced === 'boolean' ? { balanced: m.balanced } : {}),
    shards: readShards(m.shards),
    simulator: m.simulator === true,
  };
}
