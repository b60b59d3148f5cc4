import { findDefect, isUnfixable, lengthLimit, outputLength, refusalText } from './defects.ts';
import { SeededRandom } from './seeded-random.ts';
import type { SimExample, SimLang, SimTask } from './sim-task.ts';
import { toSimExample } from './sim-task.ts';
import { feedbackReasons, repairVerifiableDefect } from './verifiable-defects.ts';

function sentencesOf(text: string, lang: SimLang): string[] {
  const parts = lang === 'ja' ? text.split(/(?<=[。！？])|\n/) : text.split(/(?<=[.!?])\s+|\n/);
  return parts.map((s) => s.trim()).filter((s) => s.length > 0);
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}…`;
}

/** A fresh answer built from the input, for outputs that are empty or in the wrong language. */
function draftOutput(example: SimExample, lang: SimLang): string {
  const source = sentencesOf(example.input, lang).slice(0, 3);
  const points = source.length > 0 ? source : [example.instruction];
  if (lang === 'ja') {
    const bullets = points.map((p) => `・${clip(p.replace(/[。]$/, ''), 40)}`).join('\n');
    return `以下の点を踏まえて対応します。\n${bullets}\n以上です。`;
  }
  const bullets = points.map((p) => `- ${clip(p.replace(/[.]$/, ''), 80)}`).join('\n');
  return `Based on these points:\n${bullets}\nThat is all.`;
}

function completeTruncated(output: string, lang: SimLang): string {
  const stem = output.trim().replace(/[、,，]+$/, '');
  return lang === 'ja'
    ? `${stem}となります。以上、よろしくお願いいたします。`
    : `${stem}. That covers the main points.`;
}

function fitToLimit(output: string, limit: number, lang: SimLang): string {
  const kept: string[] = [];
  for (const s of sentencesOf(output, lang)) {
    const next = lang === 'ja' ? [...kept, s].join('') : [...kept, s].join(' ');
    if (outputLength(next, lang) > limit) break;
    kept.push(s);
  }
  if (kept.length > 0) return lang === 'ja' ? kept.join('') : kept.join(' ');
  if (lang === 'ja') {
    return `${[...output]
      .slice(0, Math.max(1, limit - 1))
      .join('')
      .replace(/[、。\n]+$/, '')}。`;
  }
  const words = output.split(/\s+/).slice(0, Math.max(1, limit));
  return `${words.join(' ').replace(/[,.;:]+$/, '')}.`;
}

/**
 * The simulated repairer: removes the defect the judge would find (empty,
 * truncated, wrong-language or over-long output). For the unfixable share it
 * answers with a refusal, which the judge then rejects.
 */
export function repairExample(task: SimTask, seed: number | string, unfixableRate: number): SimExample {
  const example = toSimExample(task.payload.example) ?? { instruction: '', input: '', output: '' };
  const lang = task.lang;
  const verified = repairVerifiableDefect(example, feedbackReasons(task.payload));
  if (verified) return verified;
  const finding = findDefect(example, lang);
  const rng = new SeededRandom(seed, 'repair', example.instruction, example.input, example.output);
  if (!finding) return { ...example, output: example.output.trim() };
  if (finding.kind === 'refusal' || isUnfixable(seed, example, unfixableRate)) {
    return { ...example, output: refusalText(lang, rng) };
  }
  let output: string;
  switch (finding.kind) {
    case 'truncated':
      output = completeTruncated(example.output, lang);
      break;
    case 'length':
      output = example.output;
      break;
    default:
      output = draftOutput(example, lang);
  }
  const limit = lengthLimit(example.instruction, lang);
  if (limit !== undefined && outputLength(output, lang) > limit) output = fitToLimit(output, limit, lang);
  return { ...example, output };
}
