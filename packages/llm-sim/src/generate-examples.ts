import {
  applicableDefects,
  type DefectKind,
  findDefect,
  isUnfixable,
  plantDefect,
  refusalText,
} from './defects.ts';
import { swapEntities } from './entity-swap.ts';
import { composeInstruction } from './instruction-templates.ts';
import { nearDuplicateOf } from './near-duplicate.ts';
import { SAMPLE_SEEDS } from './sample-seeds.ts';
import { SeededRandom } from './seeded-random.ts';
import { type SimExample, type SimLang, type SimTask, toSimExample } from './sim-task.ts';
import { maybePlantVerifiableDefect, type VerifiableDefectKind } from './verifiable-defects.ts';

/** Share of generated items of each kind; see the README for what each means. */
export interface SimQuality {
  nearDuplicateRate: number;
  lowQualityRate: number;
  unfixableRate: number;
  rejectRate: number;
  /** Share of otherwise clean items given a defect only a program finds (see verifiable-defects.ts); default 0.05. */
  verifiableDefectRate: number;
}

export const DEFAULT_QUALITY: SimQuality = {
  nearDuplicateRate: 0.1,
  lowQualityRate: 0.25,
  unfixableRate: 0.2,
  rejectRate: 0.05,
  verifiableDefectRate: 0.05,
};

/** What the simulator planted in a generated item (kept out of the HTTP reply; used by tests). */
export type PlantedKind = 'clean' | 'near-duplicate' | 'refusal' | DefectKind | VerifiableDefectKind;

export interface GeneratedItem {
  example: SimExample;
  planted: PlantedKind;
  /** For planted defects: the repairer will give up on it. */
  unfixable: boolean;
}

const MAX_K = 50;
const DEFAULT_K = 3;

/** A varied, defect-free example derived from one few-shot example. */
function novelExample(base: SimExample, lang: SimLang, rng: SeededRandom): SimExample {
  let candidate: SimExample | undefined;
  // Re-roll the rare variant that trips the judge by accident (a seed's own length limit after a name swap).
  for (let attempt = 0; attempt < 4; attempt++) {
    const { example, picks } = swapEntities(base, lang, rng);
    candidate = {
      ...example,
      instruction: composeInstruction(example.instruction, example.output, picks, lang, rng),
    };
    if (!findDefect(candidate, lang)) return candidate;
  }
  return candidate!;
}

/**
 * The simulated generator: `k` new examples varied from the few-shot examples,
 * with the configured shares of near-duplicates, repairable defects and
 * refusals. Fully determined by (seed, request hash).
 */
export function generateExamples(
  task: SimTask,
  requestHash: string,
  seed: number | string,
  quality: SimQuality,
): GeneratedItem[] {
  const lang = task.lang;
  const given = Array.isArray(task.payload.examples)
    ? task.payload.examples.map(toSimExample).filter((e): e is SimExample => e !== undefined)
    : [];
  const fewShot = given.length > 0 ? given : [...SAMPLE_SEEDS[lang]];
  const k = Math.min(task.k ?? DEFAULT_K, MAX_K);
  const items: GeneratedItem[] = [];
  for (let i = 0; i < k; i++) {
    const rng = new SeededRandom(seed, requestHash, 'item', i);
    const roll = rng.next();
    const base = rng.pick(fewShot);
    const { rejectRate, lowQualityRate, nearDuplicateRate, unfixableRate } = quality;
    if (roll < rejectRate) {
      const example = { ...novelExample(base, lang, rng), output: refusalText(lang, rng) };
      items.push({ example, planted: 'refusal', unfixable: true });
    } else if (roll < rejectRate + lowQualityRate) {
      const clean = novelExample(base, lang, rng);
      const kind = rng.pick(applicableDefects(clean, lang));
      const example = plantDefect(clean, kind, lang, rng);
      items.push({ example, planted: kind, unfixable: isUnfixable(seed, example, unfixableRate) });
    } else if (roll < rejectRate + lowQualityRate + nearDuplicateRate) {
      const earlier = items.filter((it) => it.planted === 'clean' || it.planted === 'near-duplicate');
      const source = earlier.length > 0 && rng.chance(0.4) ? rng.pick(earlier).example : base;
      items.push({
        example: nearDuplicateOf(source, lang, rng),
        planted: 'near-duplicate',
        unfixable: false,
      });
    } else {
      const example = novelExample(base, lang, rng);
      const rate = quality.verifiableDefectRate ?? 0;
      const v = maybePlantVerifiableDefect(example, task.category, rate, seed, requestHash, i);
      items.push(
        v
          ? { example: v.example, planted: v.kind, unfixable: false }
          : { example, planted: 'clean', unfixable: false },
      );
    }
  }
  return items;
}
