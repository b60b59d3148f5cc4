/**
 * Planted-defect benchmark of the verifier on the example seeds.
 *
 *   node --import tsx bench/quality.ts [--rounds N] [--out path]
 *
 * Takes every seed of the example sets whose category declares checks in
 * categories.yaml, verifies it as written (the seeds must all pass), then
 * plants each defect the simulator can plant in it (a wrong total, a SQL
 * syntax error, a missing JSON key, an untranslated output) `--rounds` times
 * (default 8) with different random choices, and counts how many the
 * verifier catches, and how many the simulated repairer fixes from the
 * verifier's evidence. Also times every check.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  applicableVerifiableDefects,
  DEFAULT_QUALITY,
  generateExamples,
  plantVerifiableDefect,
  repairVerifiableDefect,
  SeededRandom,
} from '@tane/llm-sim';
import { parseCategories } from '@tane/plugin-category-router';
import { type VerifySpec, verifyExample } from '@tane/plugin-verifier';
import { writeResult } from './fixtures/write-result.ts';

const EXAMPLES = resolve(dirname(new URL(import.meta.url).pathname), '../examples');

export async function main(argv: string[] = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '8' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/results/quality.json' },
    },
  });
  const rounds = Number(values.rounds);
  const seeds: {
    id: string;
    category: string;
    example: { instruction: string; input: string; output: string };
    verify: VerifySpec;
  }[] = [];
  for (const set of ['ja-business', 'en-general']) {
    const dir = join(EXAMPLES, set);
    for (const c of parseCategories(readFileSync(join(dir, 'categories.yaml'), 'utf8')).categories) {
      if (!c.verify) continue;
      for (const line of readFileSync(join(dir, 'seeds', `${c.id}.jsonl`), 'utf8')
        .trim()
        .split('\n')) {
        const s = JSON.parse(line) as { id: string; instruction: string; input?: string; output: string };
        seeds.push({
          id: s.id,
          category: c.id,
          example: { instruction: s.instruction, input: s.input ?? '', output: s.output },
          verify: c.verify as VerifySpec,
        });
      }
    }
  }
  const perCategory: Record<string, { seeds: number; seedsRejected: number; seedsVerified: number }> = {};
  const perKind: Record<string, { planted: number; caught: number; repaired: number }> = {};
  const checkMs: Record<string, { n: number; ms: number }> = {};
  const timed = (example: (typeof seeds)[number]['example'], spec: VerifySpec) => {
    const t0 = performance.now();
    const v = verifyExample(example, spec);
    const ms = performance.now() - t0;
    for (const c of v.checks) {
      const e = (checkMs[c.check] ??= { n: 0, ms: 0 });
      e.n++;
      e.ms += ms / v.checks.length;
    }
    return v;
  };
  for (const s of seeds) {
    const c = (perCategory[s.category] ??= { seeds: 0, seedsRejected: 0, seedsVerified: 0 });
    c.seeds++;
    const v = timed(s.example, s.verify);
    if (v.status === 'failed') c.seedsRejected++;
    if (v.status === 'verified') c.seedsVerified++;
    for (const kind of applicableVerifiableDefects(s.example, s.category)) {
      for (let round = 0; round < rounds; round++) {
        const planted = plantVerifiableDefect(s.example, kind, new SeededRandom(s.id, kind, round));
        if (planted.output === s.example.output) continue;
        const k = (perKind[kind] ??= { planted: 0, caught: 0, repaired: 0 });
        k.planted++;
        const pv = timed(planted, s.verify);
        if (pv.status !== 'failed') continue;
        k.caught++;
        const evidence = pv.checks
          .filter((x) => x.status === 'failed')
          .map((x) => `verifier (${x.check}): ${x.error}`);
        const fixed = repairVerifiableDefect(planted, evidence);
        if (fixed && verifyExample(fixed, s.verify).status !== 'failed') k.repaired++;
      }
    }
  }
  // The same defects planted by the simulator's generator in its own variants of the seeds
  // (names, numbers and wording changed), at verifiableDefectRate 0.5 of the otherwise clean items.
  const generated = { items: 0, planted: 0, caught: 0, cleanItems: 0, cleanFailed: 0 };
  const byCategory = new Map<string, (typeof seeds)[number][]>();
  for (const s of seeds) byCategory.set(s.category, [...(byCategory.get(s.category) ?? []), s]);
  const quality = {
    ...DEFAULT_QUALITY,
    lowQualityRate: 0,
    rejectRate: 0,
    nearDuplicateRate: 0,
    verifiableDefectRate: 0.5,
  };
  for (const [category, list] of byCategory) {
    const lang = /^(invoice|contract|translation|math|sql|spreadsheet)/.test(category) ? 'ja' : 'en';
    for (let t = 0; t < rounds * 4; t++) {
      const task = {
        kind: 'generate' as const,
        lang: lang as 'ja' | 'en',
        category,
        k: 8,
        payload: { examples: list.map((s) => s.example) },
      };
      for (const item of generateExamples(task, `bench-${category}-${t}`, 7, quality)) {
        generated.items++;
        const v = verifyExample(item.example, list[0]!.verify);
        if (item.planted === 'clean') {
          generated.cleanItems++;
          if (v.status === 'failed') generated.cleanFailed++;
        } else {
          generated.planted++;
          if (v.status === 'failed') generated.caught++;
        }
      }
    }
  }
  const sum = (f: (k: { planted: number; caught: number; repaired: number }) => number) =>
    Object.values(perKind).reduce((n, k) => n + f(k), 0);
  const result = {
    benchmark: 'quality',
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}`,
    node: process.version,
    date: new Date().toISOString(),
    seedsChecked: seeds.length,
    seedsRejected: Object.values(perCategory).reduce((n, c) => n + c.seedsRejected, 0),
    seedsVerified: Object.values(perCategory).reduce((n, c) => n + c.seedsVerified, 0),
    planted: sum((k) => k.planted),
    caught: sum((k) => k.caught),
    catchRate:
      Math.round(
        (sum((k) => k.caught) /
          Math.max(
            1,
            sum((k) => k.planted),
          )) *
          1000,
      ) / 1000,
    repairedFromEvidence: sum((k) => k.repaired),
    perKind,
    generator: {
      ...generated,
      catchRate: Math.round((generated.caught / Math.max(1, generated.planted)) * 1000) / 1000,
      cleanFailedShare: Math.round((generated.cleanFailed / Math.max(1, generated.cleanItems)) * 1000) / 1000,
    },
    perCategory,
    msPerCheck: Object.fromEntries(
      Object.entries(checkMs).map(([k, v]) => [k, Math.round((v.ms / v.n) * 100) / 100]),
    ),
  };
  return writeResult(values.out, result);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
