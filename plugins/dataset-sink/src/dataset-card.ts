import type { JudgeScores } from './dataset-tally.ts';
import type { DatasetManifest } from './manifest.ts';
import { type QualitySummary, renderQualitySections } from './quality-summary.ts';

/** Options of {@link renderDatasetCard}. */
export interface DatasetCardOptions {
  /** Title (default: the pipeline name). */
  title?: string;
  /** A paragraph about the dataset's purpose, shown under the title. */
  description?: string;
  /** License id for the card's metadata (default `other`: the license is the user's decision). */
  license?: string;
}

const SIZE_CATEGORIES: [number, string][] = [
  [1_000, 'n<1K'],
  [10_000, '1K<n<10K'],
  [100_000, '10K<n<100K'],
  [1_000_000, '100K<n<1M'],
  [10_000_000, '1M<n<10M'],
];

function sizeCategory(n: number): string {
  for (const [limit, label] of SIZE_CATEGORIES) if (n < limit) return label;
  return '10M<n<100M';
}

function cell(text: string | number): string {
  return String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function yamlString(text: string): string {
  return JSON.stringify(text);
}

function scores(s: JudgeScores): string[] {
  return (['1', '2', '3', '4', '5'] as const).map((k) => String(s[k]));
}

/**
 * The dataset card (`README.md` of the dataset folder): what the dataset is,
 * per-category statistics, the judge score distribution, lineage, and how to
 * load each export. Starts with Hugging Face dataset-card metadata, so the
 * folder can be pushed to the Hub as is.
 *
 * @example
 * ```ts
 * await writeFile('dataset/README.md', renderDatasetCard(manifest, { license: 'cc-by-4.0' }));
 * ```
 */
export function renderDatasetCard(
  manifest: DatasetManifest,
  options: DatasetCardOptions = {},
  quality?: QualitySummary,
): string {
  const t = manifest.totals;
  const categories = Object.entries(manifest.categories);
  const languages = [
    ...new Set(categories.map(([, s]) => s.language).filter((l): l is string => !!l)),
  ].sort();
  const plain = manifest.exports.find((e) => e.format === 'plain');
  const parquet = manifest.exports.some((e) => e.format === 'parquet');
  const title = options.title ?? manifest.pipeline;
  const out: string[] = [];

  out.push('---');
  out.push(`pretty_name: ${yamlString(title)}`);
  if (languages.length > 0) out.push('language:', ...languages.map((l) => `- ${l}`));
  out.push(`license: ${options.license ?? 'other'}`);
  out.push('task_categories:', '- text-generation');
  out.push('size_categories:', `- ${sizeCategory(t.accepted)}`);
  out.push('configs:', '- config_name: default', '  data_files:', '  - split: train');
  out.push(`    path: ${parquet ? 'data/train-*.parquet' : plain ? plain.path : 'shards/*/*.jsonl'}`);
  out.push('---', '');

  out.push(`# ${title}`, '');
  if (options.description) out.push(options.description, '');
  out.push(
    `An instruction-tuning dataset of **${t.accepted}** examples (\`instruction\`, \`input\`, \`output\`) in ${categories.length} categor${categories.length === 1 ? 'y' : 'ies'},`,
    'generated with the Self-Instruct method from hand-written seed examples by tane:',
    'a model wrote candidates from few-shot prompts, the same model judged every candidate against a rubric (fixable ones were repaired and judged again),',
    'and exact and near-duplicates (of each other and of the seeds) were removed.',
    '',
    `- Run: \`${manifest.runId}\` of pipeline \`${manifest.pipeline}\``,
    `- Created: ${manifest.createdAt}; updated: ${manifest.updatedAt}`,
    `- Accounting: ${t.generated} generated = ${t.accepted} accepted + ${t.rejected} rejected + ${t.duplicates} duplicates + ${t.dlq} failed — ${manifest.balanced ? 'balanced' : '**not balanced** (some candidates have no outcome yet, or the run is still going)'}`,
    '',
  );
  if (manifest.notes.length > 0) out.push('Notes:', '', ...manifest.notes.map((n) => `- ${n}`), '');

  out.push('## Categories', '');
  out.push(
    '| category | language | target | generated | accepted | repaired | rejected | of which filtered | duplicates | failed | avg instruction chars | avg output chars |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  );
  for (const [id, s] of categories) {
    out.push(
      `| ${cell(id)} | ${s.language ?? ''} | ${s.target ?? ''} | ${s.generated} | ${s.accepted} | ${s.repaired} | ${s.rejected} | ${s.filtered} | ${s.duplicates} | ${s.dlq} | ${s.avgInstructionChars} | ${s.avgOutputChars} |`,
    );
  }
  out.push(
    `| **total** | | ${t.target ?? ''} | ${t.generated} | ${t.accepted} | ${t.repaired} | ${t.rejected} | ${t.filtered} | ${t.duplicates} | ${t.dlq} | ${t.avgInstructionChars} | ${t.avgOutputChars} |`,
    '',
  );
  const thin = categories.filter(([, s]) => s.target !== undefined && s.accepted < s.target);
  if (thin.length > 0) {
    out.push(
      `Below target: ${thin.map(([id, s]) => `\`${id}\` (${s.accepted}/${s.target})`).join(', ')}.`,
      '',
    );
  }
  if (t.taskDlq > 0) out.push(`${t.taskDlq} generation task(s) failed before producing candidates.`, '');

  out.push('## Judge scores', '');
  out.push(
    'The final score (1–5) of every judged candidate that got an outcome, and of the accepted examples alone.',
    '',
  );
  out.push(
    '| category | 1 | 2 | 3 | 4 | 5 | accepted: 1 | 2 | 3 | 4 | 5 |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  );
  for (const [id, s] of categories) {
    out.push(
      `| ${cell(id)} | ${scores(s.judgeScores).join(' | ')} | ${scores(s.acceptedJudgeScores).join(' | ')} |`,
    );
  }
  out.push(
    `| **total** | ${scores(t.judgeScores).join(' | ')} | ${scores(t.acceptedJudgeScores).join(' | ')} |`,
    '',
  );

  if (quality) out.push(...renderQualitySections(quality));

  out.push('## Lineage', '');
  out.push(
    `- Generating model(s): ${manifest.models.length > 0 ? manifest.models.map((m) => `\`${m}\``).join(', ') : 'unknown'}`,
  );
  out.push(`- Plugins: ${manifest.plugins.map((p) => `\`${p}\``).join(', ')}`);
  out.push(
    '',
    'Every row in `shards/` keeps its `lineage` (plugin and stage for each step), and in `meta` its judge verdict, how it was generated (model, template, few-shot ids) and its repair count.',
    '',
  );

  const sources = Object.entries(manifest.sources ?? {});
  if (sources.length > 0) {
    out.push('## Imported sources', '');
    out.push(
      '| source | rows | accepted | judged (of accepted) | duplicates | rejected | failed | acceptance | duplicate rate | rejection rate |',
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    );
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    for (const [name, s] of sources) {
      out.push(
        `| ${cell(name)} | ${s.rows} | ${s.accepted} | ${s.judgedAccepted} | ${s.duplicates} | ${s.rejected} | ${s.dlq} | ${pct(s.acceptanceRate)} | ${pct(s.duplicateRate)} | ${pct(s.rejectionRate)} |`,
      );
    }
    out.push('');
  }
  const mix = manifest.mixture;
  if (mix) {
    out.push('## Mixture', '');
    out.push(
      `The exports hold a mixture of **${mix.rows}** rows drawn from the ${mix.accepted} accepted (seed ${mix.seed}${mix.total !== undefined ? `, total ${mix.total} requested` : ''}${mix.upsample ? ', up-sampling on' : ''}); \`shards/\` keeps every accepted row.`,
      '',
      '| source | weight | cap | available | requested | actual | sampling |',
      '|---|--:|--:|--:|--:|--:|---|',
    );
    for (const [name, s] of Object.entries(mix.sources)) {
      out.push(
        `| ${cell(name)} | ${s.weight} | ${s.cap ?? ''} | ${s.available} | ${s.requested} | ${s.actual} | ${s.sampling} |`,
      );
    }
    out.push('', '| category | cap | available | actual |', '|---|--:|--:|--:|');
    for (const [name, c] of Object.entries(mix.categories)) {
      out.push(`| ${cell(name)} | ${c.cap ?? ''} | ${c.available} | ${c.actual} |`);
    }
    out.push('');
    if (mix.missingSources.length > 0)
      out.push(
        `Named in the recipe but without accepted rows: ${mix.missingSources.map((s) => `\`${s}\``).join(', ')}.`,
        '',
      );
  }
  out.push('## Files and formats', '');
  out.push(
    '- `shards/<category>/part-NNNNN.jsonl` — the dataset itself, one row per line: `{id, category, language, instruction, input, output, meta: {judge, generation, repairs}, lineage}`. Checksums are in `manifest.json`.',
  );
  const describe: Record<string, string> = {
    plain: '`{instruction, input, output}` per line',
    alpaca: 'one JSON array of `{instruction, input, output}` (Stanford Alpaca)',
    openai:
      '`{"messages": [{"role": "user", …}, {"role": "assistant", …}]}` per line (OpenAI chat fine-tuning; the user turn is the instruction, a blank line, and the input)',
    sharegpt: '`{"conversations": [{"from": "human", …}, {"from": "gpt", …}]}` per line (ShareGPT)',
    'llm-jp-eval':
      'one JSON array per category of `{ID, instruction, input, output, text}` (llm-jp-eval tuning format; `text` is the Japanese Alpaca-style prompt with the answer)',
    parquet:
      'Parquet (Hugging Face layout), columns `id, category, language, instruction, input, output, source, license` (`source` is `name@file-hash` for imported rows, `generated` otherwise)',
  };
  for (const e of manifest.exports)
    out.push(`- \`${e.path}\` — ${describe[e.format] ?? e.format}, ${e.rows} rows`);
  for (const f of manifest.outcomeFiles) {
    out.push(
      `- \`${f.path}\` — ${f.path.startsWith('duplicates') ? 'removed duplicates, with the id each one duplicates and the similarity' : 'rejected candidates, with the reason'}, ${f.rows} rows (not part of the training data)`,
    );
  }
  out.push('- `manifest.json` — the figures above, lineage, shard checksums.', '');

  out.push('## Loading', '');
  out.push('```python', 'from datasets import load_dataset', '');
  if (parquet) out.push('ds = load_dataset("parquet", data_files="data/train-*.parquet", split="train")');
  else if (plain) out.push(`ds = load_dataset("json", data_files="${plain.path}", split="train")`);
  else out.push('ds = load_dataset("json", data_files="shards/*/*.jsonl", split="train")');
  const openai = manifest.exports.find((e) => e.format === 'openai');
  if (openai) out.push(`chat = load_dataset("json", data_files="${openai.path}", split="train")`);
  out.push('```', '');
  out.push('```sh', `jq -c 'select(.meta.judge.score >= 5)' shards/*/*.jsonl | head`, '```', '');
  return `${out.join('\n')}`;
}
