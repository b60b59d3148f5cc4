import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCategories } from '@tane/plugin-category-router';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// Checks every example set (a folder with categories.yaml and seeds/*.jsonl)
// the way a user relies on it: the categories file loads with the same loader
// the pipeline uses, every seed line is publishable with `tane publish seeds`,
// each category has its full complement of seeds, and no two seeds would be
// thrown away as near-duplicates of each other by the dedup stage.

const EXAMPLES = dirname(fileURLToPath(import.meta.url));

/** Seeds each category of a set must have. A new set must be added here. */
const SEEDS_PER_CATEGORY: Record<string, number> = {
  'ja-business': 10,
  'en-general': 6,
};

/** The dedup stage drops a candidate whose ROUGE-L to a kept example reaches this. */
const NEAR_DUPLICATE_ROUGE_L = 0.7;

const SEED_KEYS = ['id', 'category', 'instruction', 'input', 'output'];
const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const JAPANESE = /[\p{scx=Hira}\p{scx=Kana}\p{scx=Han}]/u;
const CJK_CHAR = /[\p{scx=Han}\p{scx=Hira}\p{scx=Kana}\p{scx=Hang}]/u;

interface Category {
  id: string;
  name: string;
  description: string;
  language: string;
  target: number;
  weight: number;
  rubric?: { extra?: unknown };
}

interface CategoriesFile {
  version: number;
  language: string;
  categories: Category[];
}

interface Seed {
  id: string;
  category: string;
  instruction: string;
  input: string;
  output: string;
  /** `file:line`, for messages. */
  where: string;
}

function exampleSets(): string[] {
  return readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(EXAMPLES, entry.name, 'categories.yaml')))
    .map((entry) => entry.name)
    .sort();
}

function readCategoriesFile(set: string): CategoriesFile {
  return parse(readFileSync(join(EXAMPLES, set, 'categories.yaml'), 'utf8')) as CategoriesFile;
}

function seedFiles(set: string): string[] {
  return readdirSync(join(EXAMPLES, set, 'seeds'))
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
}

/** Every line of every seed file of a set; throws with file:line on a line that is not a JSON object. */
function readSeeds(set: string): Seed[] {
  const seeds: Seed[] = [];
  for (const file of seedFiles(set)) {
    const lines = readFileSync(join(EXAMPLES, set, 'seeds', file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line === '') return;
      const where = `${set}/seeds/${file}:${index + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new Error(`${where}: not valid JSON (${(err as Error).message})`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new Error(`${where}: a seed line must be a JSON object`);
      }
      seeds.push({ ...(value as Omit<Seed, 'where'>), where });
    });
  }
  return seeds;
}

/** Whitespace and punctuation removed, NFKC and lower case: what "the same instruction" means. */
function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\p{Z}\s]+/gu, '');
}

/** ROUGE-L tokens: each CJK character is a token, any other run of letters and digits is a word. */
function rougeTokens(text: string): string[] {
  const tokens: string[] = [];
  let word = '';
  for (const ch of text.normalize('NFKC').toLowerCase()) {
    if (CJK_CHAR.test(ch) && /[\p{L}\p{N}]/u.test(ch)) {
      if (word) tokens.push(word);
      word = '';
      tokens.push(ch);
    } else if (/[\p{L}\p{N}\p{M}]/u.test(ch)) {
      word += ch;
    } else if (word) {
      tokens.push(word);
      word = '';
    }
  }
  if (word) tokens.push(word);
  return tokens;
}

/** ROUGE-L F1 of two token sequences (longest common subsequence). */
function rougeL(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let previous = new Int32Array(b.length + 1);
  let current = new Int32Array(b.length + 1);
  for (const token of a) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = token === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return (2 * previous[b.length]!) / (a.length + b.length);
}

/** The highest ROUGE-L two sequences of these lengths can reach; pairs below the threshold need no LCS. */
function rougeLUpperBound(m: number, n: number): number {
  return (2 * Math.min(m, n)) / (m + n);
}

describe('example sets', () => {
  it('every set folder has a seed count per category declared in this test', () => {
    expect(exampleSets()).toEqual(Object.keys(SEEDS_PER_CATEGORY).sort());
  });

  it('seed ids are unique across all sets', () => {
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const set of exampleSets()) {
      for (const seed of readSeeds(set)) {
        const first = seen.get(seed.id);
        if (first) clashes.push(`${seed.id} at ${seed.where} and ${first}`);
        else seen.set(seed.id, seed.where);
      }
    }
    expect(clashes).toEqual([]);
  });
});

describe.each(Object.entries(SEEDS_PER_CATEGORY))('%s', (set, seedsPerCategory) => {
  const file = readCategoriesFile(set);
  const categoryIds = file.categories.map((c) => c.id);
  const seeds = readSeeds(set);

  describe('categories.yaml', () => {
    it('loads with the pipeline’s categories loader', async () => {
      const loaded = await loadCategories(join(EXAMPLES, set, 'categories.yaml'));
      expect(loaded.categories.map((c) => c.id)).toEqual(categoryIds);
    });

    it('has version 1 and unique kebab-case category ids', () => {
      expect(file.version).toBe(1);
      expect(categoryIds.filter((id) => !KEBAB_CASE.test(id))).toEqual([]);
      expect(categoryIds.filter((id, i) => categoryIds.indexOf(id) !== i)).toEqual([]);
    });

    it('gives every category a name, a 1–3 sentence description, its language, a target and a weight', () => {
      for (const category of file.categories) {
        const at = `${set}/categories.yaml: ${category.id}`;
        expect(category.name?.trim(), at).toBeTruthy();
        const sentences =
          category.description?.split(/(?<=[。.!?])\s*/u).filter((s) => s.trim() !== '') ?? [];
        expect(sentences.length, `${at}: description sentences`).toBeGreaterThanOrEqual(1);
        expect(sentences.length, `${at}: description sentences`).toBeLessThanOrEqual(3);
        expect(category.language, at).toBe(file.language);
        expect(Number.isInteger(category.target) && category.target > 0, `${at}: target`).toBe(true);
        expect(category.weight, `${at}: weight`).toBeGreaterThan(0);
        if (category.rubric?.extra !== undefined) {
          const extra = category.rubric.extra;
          expect(
            Array.isArray(extra) && extra.every((e) => typeof e === 'string' && e.trim() !== ''),
            at,
          ).toBe(true);
        }
      }
    });

    it('has names that are unique within the set', () => {
      const names = file.categories.map((c) => c.name);
      expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
    });
  });

  describe('seeds', () => {
    it('has one seeds/<category-id>.jsonl file per category and no other', () => {
      expect(seedFiles(set)).toEqual(categoryIds.map((id) => `${id}.jsonl`).sort());
    });

    it('writes files as JSON lines: one object per line, newline-terminated, no blank lines', () => {
      for (const name of seedFiles(set)) {
        const text = readFileSync(join(EXAMPLES, set, 'seeds', name), 'utf8');
        expect(text.endsWith('\n'), `${set}/seeds/${name} ends with a newline`).toBe(true);
        expect(text.slice(0, -1).split('\n').includes(''), `${set}/seeds/${name} has a blank line`).toBe(
          false,
        );
      }
    });

    it(`has exactly ${seedsPerCategory} seeds per category`, () => {
      const counts = Object.fromEntries(categoryIds.map((id) => [id, 0]));
      for (const seed of seeds) counts[seed.category] = (counts[seed.category] ?? 0) + 1;
      expect(counts).toEqual(Object.fromEntries(categoryIds.map((id) => [id, seedsPerCategory])));
    });

    it('gives every seed exactly the fields id, category, instruction, input and output, all strings', () => {
      const bad = seeds
        .filter((seed) => {
          const keys = Object.keys(seed).filter((k) => k !== 'where');
          const shape = keys.length === SEED_KEYS.length && SEED_KEYS.every((k) => keys.includes(k));
          return !shape || SEED_KEYS.some((k) => typeof seed[k as keyof Seed] !== 'string');
        })
        .map((seed) => seed.where);
      expect(bad).toEqual([]);
    });

    it('puts each seed in the file of a category that exists, with a numbered id', () => {
      const bad: string[] = [];
      const next = new Map<string, number>();
      for (const seed of seeds) {
        const fileCategory = basename(seed.where.split(':')[0]!, '.jsonl');
        const n = (next.get(fileCategory) ?? 0) + 1;
        next.set(fileCategory, n);
        if (!categoryIds.includes(seed.category))
          bad.push(`${seed.where}: unknown category ${seed.category}`);
        if (seed.category !== fileCategory)
          bad.push(`${seed.where}: category ${seed.category} in ${fileCategory}`);
        const expectedId = `${fileCategory}-${String(n).padStart(3, '0')}`;
        if (seed.id !== expectedId) bad.push(`${seed.where}: id ${seed.id}, expected ${expectedId}`);
      }
      expect(bad).toEqual([]);
    });

    it('has a non-empty instruction and output in every seed', () => {
      const empty = seeds
        .filter((seed) => seed.instruction.trim() === '' || seed.output.trim() === '')
        .map((seed) => seed.where);
      expect(empty).toEqual([]);
    });

    it('has no instructions that are identical after normalising whitespace and punctuation', () => {
      const seen = new Map<string, string>();
      const duplicates: string[] = [];
      for (const seed of seeds) {
        const key = normalise(seed.instruction);
        const first = seen.get(key);
        if (first) duplicates.push(`${seed.where} repeats ${first}`);
        else seen.set(key, seed.where);
      }
      expect(duplicates).toEqual([]);
    });

    it(`has no near-duplicate instructions (ROUGE-L ≥ ${NEAR_DUPLICATE_ROUGE_L}), which dedup would drop`, () => {
      const tokens = seeds.map((seed) => rougeTokens(seed.instruction));
      const near: string[] = [];
      for (let i = 0; i < seeds.length; i++) {
        for (let j = i + 1; j < seeds.length; j++) {
          if (rougeLUpperBound(tokens[i]!.length, tokens[j]!.length) < NEAR_DUPLICATE_ROUGE_L) continue;
          const score = rougeL(tokens[i]!, tokens[j]!);
          if (score >= NEAR_DUPLICATE_ROUGE_L) {
            near.push(`${seeds[i]!.where} ~ ${seeds[j]!.where} (${score.toFixed(2)})`);
          }
        }
      }
      expect(near).toEqual([]);
    });

    // Language checks apply to Japanese sets only; English sets do not declare them.
    if (file.language === 'ja') {
      it('writes every instruction in Japanese', () => {
        const notJapanese = seeds
          .filter((seed) => !JAPANESE.test(seed.instruction))
          .map((seed) => seed.where);
        expect(notJapanese).toEqual([]);
      });

      it('has Japanese in every output, except English translations', () => {
        const notJapanese = seeds
          .filter((seed) => seed.category !== 'translation-ja-en' && !JAPANESE.test(seed.output))
          .map((seed) => seed.where);
        expect(notJapanese).toEqual([]);
      });
    }
  });
});

describe('near-duplicate check', () => {
  it('scores an instruction reworded only in punctuation as a near-duplicate', () => {
    const a = rougeTokens('次の記事を3行で要約してください。');
    const b = rougeTokens('次の記事を、3行で要約してください!');
    expect(rougeL(a, b)).toBe(1);
  });

  it('scores unrelated English instructions far below the threshold', () => {
    const a = rougeTokens('Summarize the article in three bullet points.');
    const b = rougeTokens('Write a SQL query that finds customers without orders.');
    expect(rougeL(a, b)).toBeLessThan(NEAR_DUPLICATE_ROUGE_L);
  });
});
