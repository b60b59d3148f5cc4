import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CARD_START = '<!-- tane:provenance -->';
const CARD_END = '<!-- /tane:provenance -->';

interface UsageEntry {
  endpoint?: string;
  model?: string;
  totals?: {
    requests?: number;
    promptTokens?: number;
    completionTokens?: number;
    totalTokens?: number;
    cacheHits?: number;
  };
}

/**
 * After a run, writes next to the dataset what the sink cannot know: whether
 * the simulator produced the data, and the LLM usage. `usage.json` keeps one
 * entry per endpoint and run; `manifest.json` gets `simulator` (true once any
 * run used the simulator) and `llmUsage` (the sum); the dataset card
 * (README.md) gets a provenance section.
 */
export async function recordRunFacts(
  datasetDir: string | undefined,
  facts: { simulator: boolean },
): Promise<void> {
  if (!datasetDir || !existsSync(join(datasetDir, 'manifest.json'))) return;
  const { llmClients } = await import('@tane/llm');
  const usage = llmClients()
    .map((c) => c.usage())
    .filter((u) => u.totals.calls > 0);
  const usageFile = join(datasetDir, 'usage.json');
  const earlier: unknown = existsSync(usageFile) ? JSON.parse(readFileSync(usageFile, 'utf8')) : [];
  const all = [...(Array.isArray(earlier) ? earlier : [earlier]), ...usage] as UsageEntry[];
  if (usage.length > 0) writeFileSync(usageFile, `${JSON.stringify(all, null, 2)}\n`);

  const sum = { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cacheHits: 0 };
  for (const u of all) for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += u.totals?.[k] ?? 0;
  const models = [...new Set(all.map((u) => `${u.model ?? '?'} @ ${u.endpoint ?? '?'}`))];

  const manifestFile = join(datasetDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  manifest.simulator = manifest.simulator === true || facts.simulator;
  manifest.llmUsage = { ...sum, models };
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);

  const cardFile = join(datasetDir, 'README.md');
  if (!existsSync(cardFile)) return;
  const section = [
    CARD_START,
    '## How this data was made',
    '',
    manifest.simulator
      ? '**Simulated.** This dataset was made with llm-sim, tane’s simulator, not a real model: its examples are synthetic test data, useful to check the pipeline, not to train on.'
      : 'Made with a real model endpoint (not the simulator).',
    '',
    `- Models: ${models.join(', ') || 'none recorded'}`,
    `- LLM usage (all runs): ${sum.requests} requests, ${sum.promptTokens} prompt + ${sum.completionTokens} completion tokens, ${sum.cacheHits} cache hits`,
    CARD_END,
  ].join('\n');
  const card = readFileSync(cardFile, 'utf8');
  const start = card.indexOf(CARD_START);
  const end = card.indexOf(CARD_END);
  const next =
    start >= 0 && end > start
      ? `${card.slice(0, start)}${section}${card.slice(end + CARD_END.length)}`
      : `${card.trimEnd()}\n\n${section}\n`;
  writeFileSync(cardFile, next);
}
