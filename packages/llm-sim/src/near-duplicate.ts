import type { SeededRandom } from './seeded-random.ts';
import type { SimExample, SimLang } from './sim-task.ts';

type Edit = (text: string) => string;

// Small surface edits a model makes when it "writes a new example" that is really an old one.
const JA_EDITS: Edit[] = [
  (t) => t.replace('を', 'は'),
  (t) => t.replace('は', 'を'),
  (t) => t.replace('が', 'は'),
  (t) => t.replaceAll('、', '，'),
  (t) => (t.endsWith('。') ? t.slice(0, -1) : `${t}。`),
  (t) => t.replace('ください', '下さい'),
  (t) => t.replace('次の', '以下の'),
  (t) => t.replace('してください', 'して下さい'),
];

const EN_EDITS: Edit[] = [
  (t) => t.replace(/\bthe\b/, 'a'),
  (t) => t.replace(/\ba\b/, 'the'),
  (t) => (t.endsWith('.') ? t.slice(0, -1) : `${t}.`),
  (t) => (t.startsWith('Please ') ? t.slice(7) : `Please ${t.charAt(0).toLowerCase()}${t.slice(1)}`),
  (t) => t.replace('following', 'below'),
  (t) => t.replace(', ', ' '),
];

/** Applies one or two surface edits (particles, punctuation) that keep the text a near-duplicate. */
export function nearDuplicateText(text: string, lang: SimLang, rng: SeededRandom): string {
  const edits = lang === 'ja' ? JA_EDITS : EN_EDITS;
  let out = text;
  for (const edit of rng.sample(edits, rng.int(1, 2))) out = edit(out);
  if (out === text) {
    if (lang === 'ja') out = text.endsWith('。') ? text.slice(0, -1) : `${text}。`;
    else out = text.endsWith('.') ? text.slice(0, -1) : `${text}.`;
  }
  return out;
}

/** A near-duplicate of an example: same task, nearly the same instruction. */
export function nearDuplicateOf(example: SimExample, lang: SimLang, rng: SeededRandom): SimExample {
  return { ...example, instruction: nearDuplicateText(example.instruction, lang, rng) };
}
