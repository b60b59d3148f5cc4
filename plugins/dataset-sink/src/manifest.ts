import { type CategoryStats, type DatasetTally, type SourceStats, totalStats } from './dataset-tally.ts';
import type { ExportInfo } from './export-formats.ts';
import type { MixtureSummary } from './mixture.ts';
import type { ShardInfo } from './shard-store.ts';

/** `manifest.json` of a dataset folder. */
export interface DatasetManifest {
  manifestVersion: 1;
  runId: string;
  pipeline: string;
  /** When the dataset folder was first written. */
  createdAt: string;
  /** When this manifest was written. */
  updatedAt: string;
  /** Generating models of the accepted examples (`meta.generation.model`). */
  models: string[];
  /** `name@version` of the plugins in the lineage of the accepted examples, and of the sink itself. */
  plugins: string[];
  categories: Record<string, CategoryStats>;
  /** Per import source (`tane import`): accepted, duplicates, rejected and their rates; empty without imported rows. */
  sources: Record<string, SourceStats>;
  totals: CategoryStats;
  /** Every category balances: `generated === accepted + rejected + duplicates + dlq`. */
  balanced: boolean;
  shards: ShardInfo[];
  exports: ExportInfo[];
  /** `rejected.jsonl` and `duplicates.jsonl`, when written. */
  outcomeFiles: { path: string; rows: number }[];
  /** Anything that makes the figures incomplete (e.g. an unreadable `generated` topic). */
  notes: string[];
  /** With a mixture recipe: what the exports hold, requested vs actual per source and category. */
  mixture?: MixtureSummary;
}

/** What {@link buildManifest} needs. */
export interface ManifestInput {
  runId: string;
  pipeline: string;
  createdAt: string;
  /** Default: now. */
  updatedAt?: string;
  /** Distinct candidate ids per category on the `generated` topic. */
  generated: Readonly<Record<string, number>>;
  /** False when `generated` could not be read: nothing can be said to balance then. */
  generatedKnown?: boolean;
  tally: DatasetTally;
  shards: ShardInfo[];
  exports?: ExportInfo[];
  outcomeFiles?: { path: string; rows: number }[];
  notes?: string[];
  mixture?: MixtureSummary;
}

/**
 * The dataset manifest: per-category accounting and statistics, lineage, and
 * the list of shards with their checksums. Pure: the sink calls it with its
 * counters, tests call it with synthetic ones.
 *
 * @example
 * ```ts
 * const manifest = buildManifest({ runId: 'demo', pipeline: 'demo', createdAt, generated: { 'email-reply': 3 }, tally, shards: [] });
 * manifest.categories['email-reply'].balanced;
 * ```
 */
export function buildManifest(input: ManifestInput): DatasetManifest {
  const categories = input.tally.stats(input.generated);
  const totals = totalStats(categories);
  const known = input.generatedKnown ?? true;
  const notes = [...(input.notes ?? [])];
  if (!known) for (const s of [totals, ...Object.values(categories)]) s.balanced = false;
  return {
    manifestVersion: 1,
    runId: input.runId,
    pipeline: input.pipeline,
    createdAt: input.createdAt,
    updatedAt: input.updatedAt ?? new Date().toISOString(),
    models: input.tally.models,
    plugins: input.tally.plugins,
    categories,
    sources: input.tally.sourceStats(),
    totals,
    balanced: known && totals.balanced,
    shards: input.shards,
    exports: input.exports ?? [],
    outcomeFiles: input.outcomeFiles ?? [],
    notes,
    ...(input.mixture ? { mixture: input.mixture } : {}),
  };
}
