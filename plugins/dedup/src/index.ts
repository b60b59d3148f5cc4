/**
 * `@tane/plugin-dedup`: exact and near-duplicate removal for tane pipelines.
 * The default export is the plugin; the index and its algorithms are exported
 * for benchmarks and other tools.
 */
export { type DedupConfig, dedupConfigSchema } from './dedup-config.ts';
export { type DedupDecision, type DedupExample, DedupIndex, type DedupIndexOptions } from './dedup-index.ts';
export { dedupPlugin as default } from './dedup-plugin.ts';
export { fmix32, hashString32, hashString52, mulberry32 } from './hash32.ts';
export { estimateJaccard, jaccard, MinHasher, type MinHasherOptions } from './min-hasher.ts';
export { comparisonText, type DedupField, normalizeText } from './normalize-text.ts';
export { LcsPattern, rougeL, rougeLUpperBound, rougeTokens } from './rouge-l.ts';
