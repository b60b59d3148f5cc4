import { basename } from 'node:path';
import pkg from '../package.json' with { type: 'json' };
import type { OutcomeCounts } from './dataset-manifest.ts';
import type { DatasetRow } from './dataset-row.ts';
import { rowJudgeScore } from './dataset-row.ts';
import { formatCompact, escapeHtml as h, formatNumber as n, formatPercent as pct, slug } from './html.ts';
import type { LengthStats } from './length-stats.ts';
import type { CategorySnapshot, DatasetSnapshot, JudgeScores } from './read-dataset.ts';
import { REPORT_CSS } from './report-styles.ts';
import { type BarRow, barChart, columnChart } from './svg-charts.ts';
import type { TokenUsage } from './usage-report.ts';

/** A category below this share of its target is marked thin. */
const THIN = 0.9;
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]/;

const OUTCOME_SEGMENTS = [
  { key: 'accepted', className: 'c-accepted', label: 'accepted' },
  { key: 'rejectedOnly', className: 'c-rejected', label: 'rejected (judge, repair limit)' },
  { key: 'filtered', className: 'c-filtered', label: 'filtered' },
  { key: 'duplicates', className: 'c-duplicates', label: 'duplicates' },
  { key: 'dlq', className: 'c-dlq', label: 'dead-lettered' },
  { key: 'unaccounted', className: 'c-unaccounted', label: 'not accounted for' },
] as const;

/** How a category's candidates ended, with `filtered` taken out of `rejected` when it is part of it. */
interface Outcomes {
  accepted: number;
  rejectedOnly: number;
  filtered: number;
  duplicates: number;
  dlq: number;
  unaccounted: number;
  balanced: boolean;
}

/** Accounting: generated = accepted + rejected + duplicates + dlq, where rejected includes filtered. */
export function outcomes(c: OutcomeCounts): Outcomes {
  const base = c.accepted + c.rejected + c.duplicates + c.dlq;
  // Some writers count filtered candidates apart from rejected ones; accept either, whichever balances.
  const filteredInside = c.filtered <= c.rejected && base === c.generated;
  const filteredApart = base + c.filtered === c.generated;
  const inside = filteredInside || !filteredApart;
  const terminal = inside ? base : base + c.filtered;
  return {
    accepted: c.accepted,
    rejectedOnly: inside ? Math.max(0, c.rejected - c.filtered) : c.rejected,
    filtered: c.filtered,
    duplicates: c.duplicates,
    dlq: c.dlq,
    unaccounted: Math.max(0, c.generated - terminal),
    balanced: terminal === c.generated,
  };
}

/** Renders a snapshot as one self-contained HTML page (inline CSS and SVG, no scripts, no network). */
export function renderHtml(s: DatasetSnapshot, options: { title?: string; generatedAt?: Date } = {}): string {
  const title = options.title ?? `Dataset report — ${s.manifest.pipeline ?? basename(s.dir)}`;
  const generatedAt = (options.generatedAt ?? new Date()).toISOString();
  const sections: { id: string; title: string; html: string }[] = [
    { id: 'summary', title: 'Summary', html: summarySection(s) },
    { id: 'targets', title: 'Targets', html: targetsSection(s) },
    { id: 'funnel', title: 'Funnel', html: funnelSection(s) },
    { id: 'judge', title: 'Judge scores', html: judgeSection(s) },
    { id: 'lengths', title: 'Lengths', html: lengthsSection(s) },
    { id: 'duplicates', title: 'Near-duplicates and rejections', html: duplicatesSection(s) },
    { id: 'tokens', title: 'Tokens', html: tokensSection(s) },
    { id: 'samples', title: 'Samples', html: samplesSection(s) },
    { id: 'files', title: 'Files', html: filesSection(s) },
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="${h(`${pkg.name}@${pkg.version}`)}">
<title>${h(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the report</a>
${header(s, title)}
<nav class="toc" aria-label="Sections"><ol>${sections.map((x) => `<li><a href="#${x.id}">${h(x.title)}</a></li>`).join('')}</ol></nav>
<main id="main">
${sections.map((x) => `<section id="${x.id}" aria-labelledby="${x.id}-h"><h2 id="${x.id}-h">${h(x.title)}</h2>\n${x.html}\n</section>`).join('\n')}
</main>
<footer>Made by ${h(pkg.name)} ${h(pkg.version)} at <time datetime="${h(generatedAt)}">${h(generatedAt)}</time> from <code>${h(s.dir)}</code>. This page loads nothing from the network.</footer>
</body>
</html>
`;
}

function header(s: DatasetSnapshot, title: string): string {
  const m = s.manifest;
  const rows: [string, string][] = [
    ['Run', m.runId ? `<code>${h(m.runId)}</code>` : '<span class="muted">not recorded</span>'],
    ['Pipeline', m.pipeline ? h(m.pipeline) : '<span class="muted">not recorded</span>'],
    [
      'Created',
      m.createdAt
        ? `<time datetime="${h(m.createdAt)}">${h(m.createdAt)}</time>`
        : '<span class="muted">not recorded</span>',
    ],
    [
      m.models.length > 1 ? 'Models' : 'Model',
      m.models.length
        ? m.models.map((x) => `<code>${h(x)}</code>`).join(', ')
        : '<span class="muted">not recorded</span>',
    ],
    ['Categories', n(s.categories.length)],
  ];
  const balanced = m.balanced ?? s.categories.every((c) => outcomes(c.counts).balanced);
  rows.push([
    'Accounting',
    balanced
      ? 'balances: every generated candidate is accepted, rejected, a duplicate or dead-lettered'
      : '<strong>does not balance</strong> — see the funnel',
  ]);
  const plugins = m.plugins.length
    ? `<ul class="chips" aria-label="Plugins">${m.plugins.map((p) => `<li><code>${h(p)}</code></li>`).join('')}</ul>`
    : '<span class="muted">not recorded</span>';
  rows.push(['Plugins', plugins]);
  const simulator = m.simulator
    ? `<p class="callout note" role="note"><strong>Simulated run.</strong> This dataset was made with the LLM simulator (<code>@tane/llm-sim</code>), not a real model: its examples are synthetic test data, useful to check the pipeline, not to train on.</p>`
    : '';
  return `<header>
<h1>${h(title)}</h1>
<p class="muted">A self-instruct dataset made by tane: what was generated, judged, repaired, rejected and kept.</p>
${simulator}
<dl class="meta">${rows.map(([k, v]) => `<dt>${h(k)}</dt><dd>${v}</dd>`).join('')}</dl>
</header>`;
}

function card(k: string, v: string, sub = ''): string {
  return `<div class="card"><div class="k">${h(k)}</div><div class="v">${v}</div>${sub ? `<div class="s">${sub}</div>` : ''}</div>`;
}

function summarySection(s: DatasetSnapshot): string {
  const t = s.totals;
  const cards = [
    card('Generated', n(t.generated), 'candidates from the model'),
    card('Accepted', n(t.accepted), `${pct(t.accepted, t.generated)} of generated`),
    card('Repaired', n(t.repaired), 'rewritten after judge feedback'),
    card('Rejected', n(t.rejected), t.filtered ? `${n(t.filtered)} by filters` : ''),
    card('Duplicates', n(t.duplicates), pct(t.duplicates, t.generated)),
    card('Dead-lettered', n(t.dlq), pct(t.dlq, t.generated)),
  ];
  if (s.usage) {
    const total = s.usage.totals.promptTokens + s.usage.totals.completionTokens;
    cards.push(
      card('Tokens', formatCompact(total), t.accepted ? `${n(total / t.accepted)} per accepted example` : ''),
    );
  }
  const withTarget = s.categories.filter((c) => c.target);
  if (withTarget.length) {
    const thin = withTarget.filter((c) => c.counts.accepted < c.target! * THIN);
    cards.push(
      card('Thin categories', `${thin.length} / ${withTarget.length}`, `below ${THIN * 100}% of target`),
    );
  }
  const problems = s.problems.length
    ? `<div class="callout warn" role="note"><strong>Check these:</strong><ul>${s.problems.map((p) => `<li>${h(p)}</li>`).join('')}</ul></div>`
    : '';
  return `<div class="cards">${cards.join('')}</div>${problems}`;
}

function legend(items: { className: string; label: string }[], target = false): string {
  return `<ul class="legend" aria-hidden="true">${items
    .map((i) => `<li><span class="swatch ${i.className}"></span>${h(i.label)}</li>`)
    .join('')}${target ? '<li><span class="swatch target"></span>target</li>' : ''}</ul>`;
}

function categoryLabel(c: CategorySnapshot): string {
  return c.name && c.name !== c.id ? `${c.id} (${c.name})` : c.id;
}

function targetsSection(s: DatasetSnapshot): string {
  if (s.categories.length === 0) return '<p class="muted">The manifest lists no categories.</p>';
  const hasTargets = s.categories.some((c) => c.target);
  const rows: BarRow[] = s.categories.map((c) => ({
    label: c.id,
    segments: [{ value: c.counts.accepted, className: 'c-accepted', label: 'accepted' }],
    ...(c.target ? { target: c.target } : {}),
    valueText: c.target ? `${n(c.counts.accepted)} / ${n(c.target)}` : n(c.counts.accepted),
  }));
  const thin = s.categories.filter((c) => c.target && c.counts.accepted < c.target * THIN).map((c) => c.id);
  const chart = barChart(
    {
      id: 'chart-targets',
      title: 'Accepted examples per category against targets',
      description: `${s.categories.length} categories. ${
        hasTargets
          ? thin.length
            ? `Below ${THIN * 100}% of target: ${thin.join(', ')}.`
            : 'Every category with a target reached it.'
          : 'No targets are set.'
      } The table below has the numbers.`,
    },
    rows,
  );
  const table = `<div class="table-wrap"><table>
<caption>Accepted examples and targets per category</caption>
<thead><tr><th scope="col">Category</th><th scope="col" class="num">Accepted</th><th scope="col" class="num">Target</th><th scope="col" class="num">Of target</th><th scope="col" class="num">Still needed</th></tr></thead>
<tbody>${s.categories
    .map((c) => {
      const isThin = c.target !== undefined && c.counts.accepted < c.target * THIN;
      return `<tr><th scope="row">${h(categoryLabel(c))}${isThin ? '<span class="badge warn">thin</span>' : ''}${c.unlisted ? '<span class="badge warn">not in manifest</span>' : ''}</th><td class="num">${n(c.counts.accepted)}</td><td class="num">${c.target ? n(c.target) : '–'}</td><td class="num">${c.target ? pct(c.counts.accepted, c.target) : '–'}</td><td class="num">${c.target ? n(Math.max(0, c.target - c.counts.accepted)) : '–'}</td></tr>`;
    })
    .join('')}</tbody>
</table></div>`;
  const note = hasTargets
    ? `<p>A category is marked <span class="badge warn">thin</span> below ${THIN * 100}% of its target: instruction tuning will see too few of its examples.</p>`
    : '<p class="muted">The manifest sets no targets; the chart shows accepted examples per category.</p>';
  return `${note}<figure>${chart}${legend([{ className: 'c-accepted', label: 'accepted' }], hasTargets)}</figure>${table}`;
}

function funnelSection(s: DatasetSnapshot): string {
  const t = s.totals;
  const overall = barChart(
    {
      id: 'chart-funnel',
      title: 'Funnel for the whole run',
      description: `${n(t.generated)} generated; ${n(t.accepted)} accepted, ${n(t.repaired)} repaired, ${n(t.rejected)} rejected, ${n(t.duplicates)} duplicates, ${n(t.dlq)} dead-lettered.`,
    },
    [
      { label: 'generated', segments: [{ value: t.generated, className: 'c-bar', label: 'generated' }] },
      {
        label: 'accepted',
        segments: [{ value: t.accepted, className: 'c-accepted', label: 'accepted' }],
        valueText: `${n(t.accepted)} (${pct(t.accepted, t.generated)})`,
      },
      {
        label: 'repaired',
        segments: [{ value: t.repaired, className: 'c-repaired', label: 'repaired' }],
        valueText: `${n(t.repaired)} (${pct(t.repaired, t.generated)})`,
      },
      {
        label: 'rejected',
        segments: [{ value: t.rejected, className: 'c-rejected', label: 'rejected' }],
        valueText: `${n(t.rejected)} (${pct(t.rejected, t.generated)})`,
      },
      {
        label: '  of which filtered',
        segments: [{ value: t.filtered, className: 'c-filtered', label: 'filtered' }],
      },
      {
        label: 'duplicates',
        segments: [{ value: t.duplicates, className: 'c-duplicates', label: 'duplicates' }],
        valueText: `${n(t.duplicates)} (${pct(t.duplicates, t.generated)})`,
      },
      {
        label: 'dead-lettered',
        segments: [{ value: t.dlq, className: 'c-dlq', label: 'dead-lettered' }],
        valueText: `${n(t.dlq)} (${pct(t.dlq, t.generated)})`,
      },
    ],
  );
  const perCategory = barChart(
    {
      id: 'chart-outcomes',
      title: 'How each category’s candidates ended',
      description: `Stacked bars per category: accepted, rejected, filtered, duplicates and dead-lettered candidates, adding up to those generated. ${s.categories
        .map((c) => `${c.id}: ${n(c.counts.accepted)} of ${n(c.counts.generated)} accepted`)
        .join('; ')}.`,
    },
    s.categories.map((c) => {
      const o = outcomes(c.counts);
      return {
        label: c.id,
        segments: OUTCOME_SEGMENTS.map((seg) => ({
          value: o[seg.key],
          className: seg.className,
          label: seg.label,
        })),
        valueText: `${pct(c.counts.accepted, c.counts.generated, 0)} of ${n(c.counts.generated)}`,
      };
    }),
  );
  const row = (label: string, c: OutcomeCounts, scope: 'row' | 'total') => {
    const o = outcomes(c);
    const cell = (v: number) => `<td class="num">${n(v)}</td>`;
    return `<tr><th scope="row">${h(label)}</th>${cell(c.generated)}${cell(c.accepted)}${cell(c.repaired)}${cell(c.rejected)}${cell(c.filtered)}${cell(c.duplicates)}${cell(c.dlq)}<td class="num">${pct(c.accepted, c.generated)}</td><td>${
      o.balanced
        ? '<span class="badge ok">balances</span>'
        : `<span class="badge warn">${n(o.unaccounted)} missing</span>`
    }</td></tr>`.replace('<tr>', scope === 'total' ? '<tr class="total">' : '<tr>');
  };
  const table = `<div class="table-wrap"><table>
<caption>Outcomes per category (rejected includes filtered; repaired examples are counted again in the outcome they finally got)</caption>
<thead><tr><th scope="col">Category</th><th scope="col" class="num">Generated</th><th scope="col" class="num">Accepted</th><th scope="col" class="num">Repaired</th><th scope="col" class="num">Rejected</th><th scope="col" class="num">Filtered</th><th scope="col" class="num">Duplicates</th><th scope="col" class="num">DLQ</th><th scope="col" class="num">Acceptance</th><th scope="col">Accounting</th></tr></thead>
<tbody>${s.categories.map((c) => row(categoryLabel(c), c.counts, 'row')).join('')}</tbody>
<tfoot>${row('All categories', t, 'total')}</tfoot>
</table></div>`;
  return `<p>Every candidate the model wrote ends in exactly one place: the dataset, the rejected topic (judge rejections, filters, repair give-ups), the duplicates, or the dead-letter topic.</p>
<figure>${overall}</figure>
<h3>Per category</h3>
<figure>${perCategory}${legend(OUTCOME_SEGMENTS.filter((x) => x.key !== 'unaccounted' || s.categories.some((c) => !outcomes(c.counts).balanced)).map((x) => ({ className: x.className, label: x.label })))}</figure>
${table}`;
}

function scoreColumns(scores: JudgeScores): { label: string; value: number }[] {
  return ([1, 2, 3, 4, 5] as const).map((k) => ({ label: String(k), value: scores[k] }));
}

function meanScore(scores: JudgeScores): number {
  let total = 0;
  let sum = 0;
  for (const k of [1, 2, 3, 4, 5] as const) {
    total += scores[k];
    sum += k * scores[k];
  }
  return total ? sum / total : 0;
}

function judgeSection(s: DatasetSnapshot): string {
  const scored = s.categories.filter((c) => c.judgeScores);
  if (scored.length === 0) {
    return '<p class="muted">No judge scores: the manifest has no <code>judgeScores</code> and the dataset rows carry no <code>meta.judge.score</code>.</p>';
  }
  const overall: JudgeScores = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  for (const c of scored) for (const k of [1, 2, 3, 4, 5] as const) overall[k] += c.judgeScores![k];
  const fromRows = scored.some((c) => c.judgeScoresFrom === 'rows');
  const total = Object.values(overall).reduce((a, b) => a + b, 0);
  const main = columnChart(
    {
      id: 'chart-judge',
      title: 'Judge scores, all categories',
      description: `${n(total)} scores; mean ${meanScore(overall).toFixed(2)}. ${([1, 2, 3, 4, 5] as const).map((k) => `score ${k}: ${n(overall[k])}`).join(', ')}.`,
    },
    scoreColumns(overall),
    { xTitle: 'score (1 = unusable, 5 = excellent)', yTitle: 'examples', width: 640, height: 240 },
  );
  const small = scored
    .map((c) => {
      const scores = c.judgeScores!;
      const count = Object.values(scores).reduce((a, b) => a + b, 0);
      return `<figure>${columnChart(
        {
          id: `chart-judge-${slug(c.id)}`,
          title: `Judge scores for ${c.id}`,
          description: `${n(count)} scores, mean ${meanScore(scores).toFixed(2)}: ${([1, 2, 3, 4, 5] as const).map((k) => `${k}: ${n(scores[k])}`).join(', ')}.`,
        },
        scoreColumns(scores),
        { compact: true },
      )}<figcaption><strong>${h(c.id)}</strong> · mean ${meanScore(scores).toFixed(2)} · ${n(count)} scores</figcaption></figure>`;
    })
    .join('');
  const source = fromRows
    ? '<p class="muted">Where the manifest has no scores, they come from the dataset rows, so they cover accepted examples only.</p>'
    : '<p class="muted">Scores from the manifest: every judged example, including those later rejected or repaired.</p>';
  return `${source}<figure>${main}</figure><h3>Per category</h3><div class="small-multiples">${small}</div>`;
}

function lengthChart(id: string, what: string, stats: LengthStats): string {
  const bins = stats.histogram(24);
  const sum = stats.summary();
  return columnChart(
    {
      id,
      title: `${what} length in characters`,
      description: `${n(sum.count)} examples: median ${n(sum.p50)}, 90th percentile ${n(sum.p90)}, longest ${n(sum.max)} characters.`,
    },
    bins.map((b) => ({
      label: Number.isFinite(b.to) ? formatCompact(b.from) : `${formatCompact(b.from)}+`,
      value: b.count,
      tooltip: `${Number.isFinite(b.to) ? `${n(b.from)}–${n(b.to - 1)}` : `${n(b.from)} or more`} characters: ${n(b.count)}`,
    })),
    { xTitle: 'characters', yTitle: 'examples', width: 540, height: 240 },
  );
}

function lengthsSection(s: DatasetSnapshot): string {
  if (s.rowsRead === 0) {
    const avg = s.categories.filter(
      (c) => c.avgInstructionChars !== undefined || c.avgOutputChars !== undefined,
    );
    const note = '<p class="muted">No dataset rows were read, so there are no length histograms.</p>';
    if (!avg.length) return note;
    return `${note}<div class="table-wrap"><table><caption>Average lengths from the manifest (characters)</caption><thead><tr><th scope="col">Category</th><th scope="col" class="num">Instruction</th><th scope="col" class="num">Output</th></tr></thead><tbody>${avg
      .map(
        (c) =>
          `<tr><th scope="row">${h(c.id)}</th><td class="num">${n(c.avgInstructionChars ?? Number.NaN)}</td><td class="num">${n(c.avgOutputChars ?? Number.NaN)}</td></tr>`,
      )
      .join('')}</tbody></table></div>`;
  }
  const table = `<div class="table-wrap"><table>
<caption>Lengths per category, in characters (from ${n(s.rowsRead)} dataset rows)</caption>
<thead><tr><th scope="col" rowspan="2">Category</th><th scope="col" rowspan="2" class="num">Rows</th><th scope="colgroup" colspan="3" class="num">Instruction</th><th scope="colgroup" colspan="3" class="num">Output</th></tr>
<tr><th scope="col" class="num">median</th><th scope="col" class="num">p90</th><th scope="col" class="num">max</th><th scope="col" class="num">median</th><th scope="col" class="num">p90</th><th scope="col" class="num">max</th></tr></thead>
<tbody>${s.categories
    .map(
      (c) =>
        `<tr><th scope="row">${h(c.id)}</th><td class="num">${n(c.rowsRead)}</td><td class="num">${n(c.instruction.p50)}</td><td class="num">${n(c.instruction.p90)}</td><td class="num">${n(c.instruction.max)}</td><td class="num">${n(c.output.p50)}</td><td class="num">${n(c.output.p90)}</td><td class="num">${n(c.output.max)}</td></tr>`,
    )
    .join('')}</tbody>
</table></div>`;
  return `<p>Lengths of the accepted examples, counted in characters (a Japanese character counts once). The last bar of a histogram holds everything above the 99th percentile.</p>
<div class="grid-2"><figure>${lengthChart('chart-len-instruction', 'Instruction', s.lengths.instruction)}<figcaption>Instruction</figcaption></figure>
<figure>${lengthChart('chart-len-output', 'Output', s.lengths.output)}<figcaption>Output</figcaption></figure></div>
${table}`;
}

function duplicatesSection(s: DatasetSnapshot): string {
  const haveDupFile = s.inputs.some((i) => i.name === 'duplicates.jsonl' && i.found);
  const haveRejFile = s.inputs.some((i) => i.name === 'rejected.jsonl' && i.found);
  const parts: string[] = [];
  if (!haveDupFile && !haveRejFile) {
    parts.push(
      '<p class="muted">Neither <code>duplicates.jsonl</code> nor <code>rejected.jsonl</code> is in the dataset folder, so near-duplicate clusters and rejection reasons cannot be shown. The counts above come from the manifest.</p>',
    );
    return parts.join('');
  }
  if (s.clusters.length === 0) {
    parts.push(
      '<p>No duplicates that name the example they duplicate (<code>meta.outcome.detail.duplicateOf</code>) were found.</p>',
    );
  } else {
    const clusteredIds = s.clusters.reduce((a, c) => a + c.members.length, 0);
    parts.push(
      `<p>${n(s.duplicateRows)} duplicates point at the example they repeat. The ${s.clusters.length} largest groups (${n(clusteredIds)} duplicates), each under the example that was kept:</p>`,
    );
    for (const c of s.clusters) {
      const shown = c.members.slice(0, 6);
      parts.push(`<div class="cluster">
<h3>${n(c.members.length)} ${c.members.length === 1 ? 'duplicate' : 'duplicates'} of <code>${h(c.keptId)}</code> <span class="muted">(${h(c.category)})</span></h3>
${c.keptInstruction !== undefined ? `<p class="muted">Kept instruction:</p><pre${lang(c.keptInstruction)}>${h(c.keptInstruction)}</pre>` : `<p class="muted">The kept example (<code>${h(c.keptId)}</code>) is not a row of this dataset: it is a seed, or a row accepted into another dataset (dedup compares against both).</p>`}
<div class="table-wrap"><table><caption>Duplicates of ${h(c.keptId)}</caption><thead><tr><th scope="col">Id</th><th scope="col">Kind</th><th scope="col" class="num">Similarity</th><th scope="col">Instruction</th></tr></thead><tbody>${shown
        .map(
          (m) =>
            `<tr><td><code>${h(m.id)}</code></td><td>${h(m.reason ?? '')}</td><td class="num">${m.similarity !== undefined ? m.similarity.toFixed(2) : '–'}</td><td${lang(m.instruction)}>${h(m.instruction)}</td></tr>`,
        )
        .join(
          '',
        )}</tbody></table></div>${c.members.length > shown.length ? `<p class="muted">and ${n(c.members.length - shown.length)} more.</p>` : ''}
</div>`);
    }
  }
  if (s.rejections.length) {
    parts.push(`<div class="table-wrap"><table>
<caption>Rejected and duplicate examples by reason</caption>
<thead><tr><th scope="col">Category</th><th scope="col">Outcome</th><th scope="col">Reason</th><th scope="col" class="num">Examples</th></tr></thead>
<tbody>${s.rejections
      .map(
        (r) =>
          `<tr><th scope="row">${h(r.category)}</th><td>${h(r.status)}</td><td>${h(r.reason)}</td><td class="num">${n(r.count)}</td></tr>`,
      )
      .join('')}</tbody></table></div>`);
  }
  if (!haveDupFile)
    parts.push(
      '<p class="muted">No <code>duplicates.jsonl</code>: clusters come from the duplicates in <code>rejected.jsonl</code>.</p>',
    );
  if (!haveRejFile)
    parts.push(
      '<p class="muted">No <code>rejected.jsonl</code>: rejection reasons other than duplicates are not shown.</p>',
    );
  return parts.join('\n');
}

function usageRow(label: string, u: TokenUsage, accepted?: number): string {
  const total = u.promptTokens + u.completionTokens;
  return `<tr><th scope="row">${h(label)}</th><td class="num">${n(u.requests)}</td><td class="num">${n(u.promptTokens)}</td><td class="num">${n(u.completionTokens)}</td><td class="num">${n(total)}</td>${
    accepted === undefined ? '' : `<td class="num">${accepted ? n(total / accepted) : '–'}</td>`
  }</tr>`;
}

function tokensSection(s: DatasetSnapshot): string {
  const u = s.usage;
  if (!u)
    return '<p class="muted">No <code>usage.json</code> in the dataset folder: token use is not known for this run.</p>';
  const t = u.totals;
  const total = t.promptTokens + t.completionTokens;
  const cards = [
    card('Requests', n(t.requests)),
    card('Prompt tokens', formatCompact(t.promptTokens)),
    card('Completion tokens', formatCompact(t.completionTokens)),
    card('Per accepted example', s.totals.accepted ? n(total / s.totals.accepted) : '–', 'tokens'),
  ];
  if (t.cacheHits !== undefined) cards.push(card('Cache hits', n(t.cacheHits)));
  if (t.throttled !== undefined)
    cards.push(card('Throttled (429)', n(t.throttled), pct(t.throttled, t.requests)));
  if (t.retries !== undefined) cards.push(card('Retries', n(t.retries)));
  const plugins = Object.entries(u.byPlugin).sort((a, b) => a[0].localeCompare(b[0]));
  const chart = plugins.length
    ? `<figure>${barChart(
        {
          id: 'chart-tokens',
          title: 'Tokens per plugin',
          description: plugins
            .map(
              ([p, x]) => `${p}: ${n(x.promptTokens)} prompt and ${n(x.completionTokens)} completion tokens`,
            )
            .join('; '),
        },
        plugins.map(([p, x]) => ({
          label: p,
          segments: [
            { value: x.promptTokens, className: 'c-prompt', label: 'prompt tokens' },
            { value: x.completionTokens, className: 'c-completion', label: 'completion tokens' },
          ],
          valueText: formatCompact(x.promptTokens + x.completionTokens),
        })),
        { labelWidth: 300 },
      )}${legend([
        { className: 'c-prompt', label: 'prompt tokens' },
        { className: 'c-completion', label: 'completion tokens' },
      ])}</figure>`
    : '';
  const pluginTable = plugins.length
    ? `<div class="table-wrap"><table><caption>Tokens per plugin</caption><thead><tr><th scope="col">Plugin</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Prompt</th><th scope="col" class="num">Completion</th><th scope="col" class="num">Total</th></tr></thead><tbody>${plugins
        .map(([p, x]) => usageRow(p, x))
        .join('')}</tbody><tfoot>${usageRow('All plugins', t)}</tfoot></table></div>`
    : '';
  const cats = Object.entries(u.byCategory).sort((a, b) => a[0].localeCompare(b[0]));
  const acceptedOf = (id: string) => s.categories.find((c) => c.id === id)?.counts.accepted ?? 0;
  const catTable = cats.length
    ? `<div class="table-wrap"><table><caption>Tokens per category</caption><thead><tr><th scope="col">Category</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Prompt</th><th scope="col" class="num">Completion</th><th scope="col" class="num">Total</th><th scope="col" class="num">Per accepted</th></tr></thead><tbody>${cats
        .map(([id, x]) => usageRow(id, x, acceptedOf(id)))
        .join('')}</tbody></table></div>`
    : '<p class="muted"><code>usage.json</code> has no per-category figures.</p>';
  return `<div class="cards">${cards.join('')}</div>${chart}${pluginTable}${catTable}`;
}

function lang(text: string): string {
  return JAPANESE.test(text) ? ' lang="ja"' : '';
}

function sample(row: DatasetRow): string {
  const score = rowJudgeScore(row);
  const field = (label: string, value: string) =>
    `<div class="field"><span>${h(label)}</span><pre${lang(value)}>${h(value)}</pre></div>`;
  return `<article class="sample" aria-label="Example ${h(row.id)}">
<h4><code>${h(row.id)}</code>${score !== undefined ? ` · judge score ${score}` : ''}${typeof row.meta.repairs === 'number' && row.meta.repairs > 0 ? ` · repaired ${row.meta.repairs}×` : ''}</h4>
${field('Instruction', row.instruction)}${row.input ? field('Input', row.input) : ''}${field('Output', row.output)}
</article>`;
}

function samplesSection(s: DatasetSnapshot): string {
  const withSamples = s.categories.filter((c) => c.samples.length > 0);
  if (withSamples.length === 0)
    return '<p class="muted">No dataset rows were read, so there are no samples.</p>';
  return `<p>A random sample of accepted examples per category (the same sample every time for this run).</p>
${withSamples
  .map(
    (c, i) =>
      `<details${i === 0 ? ' open' : ''}><summary>${h(categoryLabel(c))} <span class="muted">(${c.samples.length} of ${n(c.rowsRead)})</span></summary>${c.samples.map(sample).join('')}</details>`,
  )
  .join('\n')}`;
}

function filesSection(s: DatasetSnapshot): string {
  const inputs = `<div class="table-wrap"><table><caption>Inputs of this report</caption><thead><tr><th scope="col">File</th><th scope="col">Found</th><th scope="col">Note</th></tr></thead><tbody>${s.inputs
    .map(
      (i) =>
        `<tr><th scope="row"><code>${h(i.name)}</code></th><td>${i.found ? 'yes' : '<span class="badge warn">missing</span>'}</td><td>${h(i.note)}</td></tr>`,
    )
    .join('')}</tbody></table></div>`;
  if (s.shards.length === 0) return `${inputs}<p class="muted">No shards.</p>`;
  const shards = `<details><summary>Shards (${s.shards.length}, ${n(s.rowsRead)} rows read)</summary><div class="table-wrap"><table><caption>Shards of the dataset</caption><thead><tr><th scope="col">Path</th><th scope="col" class="num">Rows (manifest)</th><th scope="col" class="num">Rows read</th><th scope="col">SHA-256</th></tr></thead><tbody>${s.shards
    .map(
      (x) =>
        `<tr><td><code>${h(x.path)}</code></td><td class="num">${x.rows !== undefined ? n(x.rows) : '–'}</td><td class="num">${x.found ? n(x.rowsRead) : '<span class="badge warn">missing</span>'}</td><td><code title="${h(x.sha256 ?? '')}">${h(x.sha256 ? `${x.sha256.slice(0, 16)}…` : '–')}</code></td></tr>`,
    )
    .join('')}</tbody></table></div></details>`;
  return inputs + shards;
}
