import { findDefect } from './defects.ts';
import { SeededRandom } from './seeded-random.ts';
import { type SimTask, toSimExample } from './sim-task.ts';

/** The judge reply of the LLM contract. */
export interface SimJudgement {
  score: number;
  verdict: 'accept' | 'repair' | 'reject';
  reasons: string[];
  criteria: Record<string, number>;
}

const JA_PRAISE = [
  '指示の意図に沿った出力になっている',
  '入力の内容と矛盾がない',
  '文体と敬語が場面に合っている',
  '必要な情報が過不足なく含まれている',
  '自然な日本語で読みやすい',
];
const EN_PRAISE = [
  'The output follows the instruction.',
  'The output is consistent with the input.',
  'The tone fits the situation.',
  'All the requested information is present.',
  'The text reads naturally.',
];

/**
 * The simulated judge: `reject` for refusals, `repair` (score 2) for a
 * detectable defect, otherwise `accept` with score 4 or 5. Same example, same
 * judgement.
 */
export function judgeExample(task: SimTask, seed: number | string): SimJudgement {
  const example = toSimExample(task.payload.example) ?? { instruction: '', input: '', output: '' };
  const rubric = Array.isArray(task.payload.rubric)
    ? task.payload.rubric.filter((r): r is string => typeof r === 'string')
    : [];
  const rng = new SeededRandom(seed, 'judge', example.instruction, example.input, example.output);
  const finding = findDefect(example, task.lang);
  const ja = task.lang === 'ja';
  if (!finding) {
    const score = rng.chance(0.5) ? 5 : 4;
    const criteria = Object.fromEntries(rubric.map((c) => [c, rng.chance(0.7) ? score : 4]));
    return { score, verdict: 'accept', reasons: rng.sample(ja ? JA_PRAISE : EN_PRAISE, 2), criteria };
  }
  const score = finding.kind === 'refusal' ? 1 : 2;
  const criteria = Object.fromEntries(
    rubric.map((c, i) => [c, i === 0 ? score : Math.min(5, score + rng.int(0, 2))]),
  );
  return {
    score,
    verdict: finding.kind === 'refusal' ? 'reject' : 'repair',
    reasons: [finding.reason],
    criteria,
  };
}
