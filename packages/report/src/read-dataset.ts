import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { IdTable, stableHash32, TaneError } from '@tane/core';
import {
  type CategoryManifest,
  type DatasetManifest,
  emptyCounts,
  normalizeManifest,
  type OutcomeCounts,
  type ShardEntry,
} from './dataset-manifest.ts';
import { type DatasetRow, rowJudgeScore, rowOutcome, toDatasetRow } from './dataset-row.ts';
import { charLength } from './html.ts';
import { LengthStats, type LengthSummary } from './length-stats.ts';
import { SeededReservoir } from './seeded-reservoir.ts';
import { normalizeUsage, type UsageReport } from './usage-report.ts';

export type JudgeScores = Record<1 | 2 | 3 | 4 | 5, number>;

/** Everything the report shows about one category. */
export interface CategorySnapshot {
  id: string;
  name?: string;
  counts: OutcomeCounts;
  target?: number;
  judgeScores?: JudgeScores;
  /** Where the scores come from: the manifest (every judged example) or the dataset rows (accepted only). */
  judgeScoresFrom?: 'manifest' | 'rows';
  instruction: LengthSummary;
  output: LengthSummary;
  avgInstructionChars?: number;
  avgOutputChars?: number;
  rowsRead: number;
  samples: DatasetRow[];
  /** Listed in the shards but not in the manifest. */
  unlisted?: boolean;
}

/** Duplicates of one kept example. */
export interface DuplicateCluster {
  keptId: string;
  category: string;
  /** The kept example's instruction, when its row was found in the shards. */
  keptInstruction?: string;
  members: { id: string; instruction: string; similarity?: number; reason?: string }[];
}

/** Rejected examples counted by category, status and reason. */
export interface RejectionCount {
  category: string;
  status: string;
  reason: string;
  count: number;
}

/** An input file of the report and whether it was there. */
export interface InputFile {
  name: string;
  found: boolean;
  note: string;
}

/** What `readDataset` found in a dataset folder. */
export interface DatasetSnapshot {
  dir: string;
  manifest: DatasetManifest;
  categories: CategorySnapshot[];
  totals: OutcomeCounts;
  lengths: { instruction: LengthStats; output: LengthStats };
  usage?: UsageReport;
  clusters: DuplicateCluster[];
  /** Examples in the largest clusters, and all duplicates seen. */
  duplicateRows: number;
  rejections: RejectionCount[];
  inputs: InputFile[];
  shards: (ShardEntry & { found: boolean; rowsRead: number })[];
  rowsRead: number;
  /** Lines that were not JSON or not an example. */
  badLines: number;
  /** Things that look wrong (unlisted categories, missing shards, row counts that differ). */
  problems: string[];
}

export interface ReadDatasetOptions {
  samplesPerCategory?: number;
  /** How many near-duplicate clusters to keep (largest first). */
  clusters?: number;
}

const MEMBER_TEXT = 240;

/**
 * Reads a dataset folder written by the dataset sink: `manifest.json` (required),
 * the shards it lists, and the optional `usage.json`, `duplicates.jsonl` and
 * `rejected.jsonl`. Shards are streamed, so a million rows need little memory.
 *
 * @example
 * ```ts
 * const snapshot = await readDataset('out/dataset/run-42', { samplesPerCategory: 3 });
 * console.log(snapshot.totals.accepted, snapshot.categories.length);
 * ```
 */
export async function readDataset(
  datasetDir: string,
  options: ReadDatasetOptions = {},
): Promise<DatasetSnapshot> {
  const dir = resolve(datasetDir);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new TaneError('INPUT_INVALID', `no manifest.json in ${dir}`, {
      where: dir,
      hint: 'give the folder the dataset sink wrote (it holds manifest.json and shards/)',
    });
  }
  let rawManifest: unknown;
  try {
    rawManifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new TaneError('INPUT_INVALID', `manifest.json is not JSON: ${(err as Error).message}`, {
      where: manifestPath,
      hint: 'the run may still be writing it; wait for the sink to finish, or write the dataset again',
    });
  }
  const manifest = normalizeManifest(rawManifest);
  const problems: string[] = [];
  const inputs: InputFile[] = [{ name: 'manifest.json', found: true, note: 'run, counts and targets' }];
  const samplesPerCategory = options.samplesPerCategory ?? 3;
  const seed = stableHash32(manifest.runId ?? dir);

  // Usage.
  let usage: UsageReport | undefined;
  const usagePath = join(dir, 'usage.json');
  if (existsSync(usagePath)) {
    try {
      usage = normalizeUsage(JSON.parse(readFileSync(usagePath, 'utf8')));
      inputs.push({ name: 'usage.json', found: true, note: 'tokens per plugin and category' });
    } catch (err) {
      inputs.push({ name: 'usage.json', found: false, note: `not JSON: ${(err as Error).message}` });
    }
  } else {
    inputs.push({ name: 'usage.json', found: false, note: 'token use is not known for this run' });
  }

  // Rejected and duplicate rows first: the largest clusters decide which kept rows to look up in the shards.
  // The first pass counts (every reason, every cluster's size); only the members of the clusters
  // shown are collected, in a second pass over duplicates.jsonl, so a run with hundreds of
  // thousands of duplicates does not hold them all. Ids are kept as fingerprints (IdTable).
  const rejections = new Map<string, RejectionCount>();
  const clusterSizes = new Map<string, { category: string; size: number }>();
  const seenRejected = new IdTable();
  const filesWithMembers = new Set<string>();
  let duplicateRows = 0;
  let badLines = 0;
  const classify = (row: NonNullable<ReturnType<typeof parseRow>>, name: string) => {
    const outcome = rowOutcome(row);
    const status = outcome?.status ?? (name === 'duplicates.jsonl' ? 'duplicate' : 'rejected');
    const reason = outcome?.reason ?? 'unknown';
    const detail = outcome?.detail as { duplicateOf?: unknown; similarity?: unknown } | undefined;
    const keptId =
      status === 'duplicate' && typeof detail?.duplicateOf === 'string' ? detail.duplicateOf : undefined;
    return { status, reason, detail, keptId };
  };
  for (const name of ['duplicates.jsonl', 'rejected.jsonl']) {
    const path = join(dir, name);
    if (!existsSync(path)) {
      inputs.push({
        name,
        found: false,
        note:
          name === 'duplicates.jsonl'
            ? 'near-duplicate clusters cannot be shown'
            : 'rejection reasons cannot be shown',
      });
      continue;
    }
    let rows = 0;
    for await (const line of readLines(path)) {
      const row = parseRow(line, 'unknown');
      if (!row) {
        badLines++;
        continue;
      }
      rows++;
      const known = seenRejected.size;
      if (seenRejected.add(row.id) < known) continue;
      const { status, reason, keptId } = classify(row, name);
      const key = `${row.category}\u0000${status}\u0000${reason}`;
      const r = rejections.get(key) ?? { category: row.category, status, reason, count: 0 };
      r.count++;
      rejections.set(key, r);
      if (keptId !== undefined) {
        filesWithMembers.add(name);
        duplicateRows++;
        const c = clusterSizes.get(keptId);
        if (c) c.size++;
        else clusterSizes.set(keptId, { category: row.category, size: 1 });
      }
    }
    inputs.push({ name, found: true, note: `${rows} rows` });
  }
  const clusters: DuplicateCluster[] = [...clusterSizes]
    .sort(([a, x], [b, y]) => y.size - x.size || a.localeCompare(b))
    .slice(0, options.clusters ?? 10)
    .map(([keptId, c]) => ({ keptId, category: c.category, members: [] }));
  if (clusters.length > 0) {
    const shown = new Map(clusters.map((c) => [c.keptId, c]));
    // The same files in the same order as the first pass, so "already seen" means the same.
    const seen = new IdTable();
    for (const name of ['duplicates.jsonl', 'rejected.jsonl']) {
      const path = join(dir, name);
      if (!existsSync(path)) continue;
      const needed = filesWithMembers.has(name);
      for await (const line of readLines(path)) {
        const row = parseRow(line, 'unknown');
        if (!row) continue;
        const known = seen.size;
        if (seen.add(row.id) < known || !needed) continue;
        const { reason, detail, keptId } = classify(row, name);
        const c = keptId === undefined ? undefined : shown.get(keptId);
        if (!c) continue;
        c.members.push({
          id: row.id,
          instruction: row.instruction.slice(0, MEMBER_TEXT),
          ...(typeof detail?.similarity === 'number' ? { similarity: detail.similarity } : {}),
          reason,
        });
      }
      // Nothing after the last file with members can add any.
      if (name === 'duplicates.jsonl' && !filesWithMembers.has('rejected.jsonl')) break;
    }
  }
  const wanted = new Map(clusters.map((c) => [c.keptId, c]));

  // Shards.
  const shardEntries = manifest.shards.length > 0 ? manifest.shards : await findShards(dir);
  if (manifest.shards.length === 0 && shardEntries.length > 0) {
    problems.push('the manifest lists no shards; the report read every .jsonl file under shards/');
  }
  const lengths = { instruction: new LengthStats(), output: new LengthStats() };
  interface Acc {
    instruction: LengthStats;
    output: LengthStats;
    samples: SeededReservoir<DatasetRow>;
    scores: JudgeScores;
    scored: number;
    rows: number;
  }
  const perCategory = new Map<string, Acc>();
  const acc = (category: string): Acc => {
    let a = perCategory.get(category);
    if (!a) {
      a = {
        instruction: new LengthStats(),
        output: new LengthStats(),
        samples: new SeededReservoir<DatasetRow>(samplesPerCategory, seed ^ stableHash32(category)),
        scores: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 },
        scored: 0,
        rows: 0,
      };
      perCategory.set(category, a);
    }
    return a;
  };
  const shards: DatasetSnapshot['shards'] = [];
  let rowsRead = 0;
  for (const entry of shardEntries) {
    const path = isAbsolute(entry.path) ? entry.path : join(dir, entry.path);
    if (!existsSync(path) || !statSync(path).isFile()) {
      shards.push({ ...entry, found: false, rowsRead: 0 });
      problems.push(`shard ${entry.path} is listed in the manifest but missing`);
      continue;
    }
    const fallbackCategory = entry.category ?? categoryFromPath(relative(dir, path));
    let n = 0;
    for await (const line of readLines(path)) {
      const row = parseRow(line, fallbackCategory);
      if (!row) {
        badLines++;
        continue;
      }
      n++;
      const a = acc(row.category);
      a.rows++;
      const il = charLength(row.instruction);
      const ol = charLength(row.output);
      a.instruction.add(il);
      a.output.add(ol);
      lengths.instruction.add(il);
      lengths.output.add(ol);
      a.samples.offer(row);
      const score = rowJudgeScore(row);
      if (score !== undefined) {
        a.scores[score as 1 | 2 | 3 | 4 | 5]++;
        a.scored++;
      }
      const cluster = wanted.get(row.id);
      if (cluster) cluster.keptInstruction = row.instruction.slice(0, MEMBER_TEXT);
    }
    rowsRead += n;
    if (entry.rows !== undefined && entry.rows !== n) {
      problems.push(`shard ${entry.path}: the manifest says ${entry.rows} rows, the file has ${n}`);
    }
    shards.push({ ...entry, found: true, rowsRead: n });
  }
  if (shardEntries.length === 0) problems.push('no shards found: lengths and samples cannot be shown');

  // Merge the manifest's categories with what the shards held.
  const categories: CategorySnapshot[] = manifest.categories.map((c) =>
    snapshotCategory(c, perCategory.get(c.id)),
  );
  for (const [id, a] of perCategory) {
    if (manifest.categories.some((c) => c.id === id)) continue;
    problems.push(`category ${id} has ${a.rows} rows in the shards but is not in the manifest`);
    categories.push({ ...snapshotCategory({ id, ...emptyCounts(), accepted: a.rows }, a), unlisted: true });
  }
  for (const c of categories) {
    if (c.counts.accepted !== c.rowsRead && shards.length > 0 && !c.unlisted) {
      problems.push(
        `category ${c.id}: the manifest counts ${c.counts.accepted} accepted, the shards hold ${c.rowsRead} rows`,
      );
    }
  }
  if (badLines > 0) {
    problems.push(
      badLines === 1
        ? '1 line was not a JSON example and was skipped'
        : `${badLines} lines were not JSON examples and were skipped`,
    );
  }

  return {
    dir,
    manifest,
    categories,
    totals: manifest.totals,
    lengths,
    ...(usage ? { usage } : {}),
    clusters,
    duplicateRows,
    rejections: [...rejections.values()].sort(
      (a, b) =>
        order(a.category) - order(b.category) ||
        a.category.localeCompare(b.category) ||
        a.status.localeCompare(b.status) ||
        b.count - a.count,
    ),
    inputs,
    shards,
    rowsRead,
    badLines,
    problems,
  };

  function order(category: string): number {
    const i = categories.findIndex((c) => c.id === category);
    return i < 0 ? categories.length : i;
  }

  function snapshotCategory(c: CategoryManifest, a: Acc | undefined): CategorySnapshot {
    const fromRows = a && a.scored > 0 ? a.scores : undefined;
    const judgeScores = c.judgeScores ?? fromRows;
    return {
      id: c.id,
      ...(c.name ? { name: c.name } : {}),
      counts: {
        generated: c.generated,
        accepted: c.accepted,
        repaired: c.repaired,
        rejected: c.rejected,
        duplicates: c.duplicates,
        dlq: c.dlq,
        filtered: c.filtered,
      },
      ...(c.target !== undefined ? { target: c.target } : {}),
      ...(judgeScores
        ? { judgeScores, judgeScoresFrom: c.judgeScores ? ('manifest' as const) : ('rows' as const) }
        : {}),
      instruction: a ? a.instruction.summary() : new LengthStats().summary(),
      output: a ? a.output.summary() : new LengthStats().summary(),
      ...(c.avgInstructionChars !== undefined ? { avgInstructionChars: c.avgInstructionChars } : {}),
      ...(c.avgOutputChars !== undefined ? { avgOutputChars: c.avgOutputChars } : {}),
      rowsRead: a?.rows ?? 0,
      samples: a?.samples.items ?? [],
    };
  }
}

function parseRow(line: string, fallbackCategory: string): DatasetRow | undefined {
  if (line.trim() === '') return undefined;
  try {
    return toDatasetRow(JSON.parse(line), fallbackCategory);
  } catch {
    return undefined;
  }
}

async function* readLines(path: string): AsyncIterable<string> {
  const stream = createReadStream(path);
  const input = path.endsWith('.gz') ? stream.pipe(createGunzip()) : stream;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) if (line.trim() !== '') yield line;
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** `shards/<category>/part-00000.jsonl` → `<category>`. */
function categoryFromPath(rel: string): string {
  const parts = rel.split(sep);
  const i = parts.indexOf('shards');
  return (i >= 0 && parts.length > i + 2 ? parts[i + 1] : undefined) ?? 'unknown';
}

async function findShards(dir: string): Promise<ShardEntry[]> {
  const root = join(dir, 'shards');
  if (!existsSync(root)) return [];
  const files = (await readdir(root, { recursive: true }))
    .map(String)
    .filter((f) => f.endsWith('.jsonl') || f.endsWith('.jsonl.gz'))
    .sort();
  return files.map((f) => ({ path: join('shards', f) }));
}
