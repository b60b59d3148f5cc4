import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCategories } from '@tane/plugin-category-router';
import type { VerifiableExample, VerifySpec } from '../src/index.ts';

const examples = resolve(import.meta.dirname, '../../../examples');

/** A seed of an example set, with the checks its category declares in categories.yaml. */
export interface DeclaredSeed {
  set: string;
  id: string;
  category: string;
  example: VerifiableExample;
  verify: VerifySpec;
}

/** Every seed of the example sets whose category declares checks. */
export function declaredSeeds(): DeclaredSeed[] {
  const out: DeclaredSeed[] = [];
  for (const set of ['ja-business', 'en-general']) {
    const dir = join(examples, set);
    const categories = parseCategories(readFileSync(join(dir, 'categories.yaml'), 'utf8'));
    for (const c of categories.categories) {
      if (!c.verify) continue;
      for (const line of readFileSync(join(dir, 'seeds', `${c.id}.jsonl`), 'utf8')
        .trim()
        .split('\n')) {
        const s = JSON.parse(line) as { id: string; instruction: string; input?: string; output: string };
        out.push({
          set,
          id: s.id,
          category: c.id,
          example: { instruction: s.instruction, input: s.input ?? '', output: s.output },
          verify: c.verify as VerifySpec,
        });
      }
    }
  }
  return out;
}
