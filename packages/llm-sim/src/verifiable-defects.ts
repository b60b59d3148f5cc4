import { SeededRandom } from './seeded-random.ts';
import type { SimExample } from './sim-task.ts';

/**
 * Defects a program can find and a judge easily misses: a wrong total in a
 * worked calculation, a SQL syntax error, a JSON answer missing a key the
 * instruction asks for, and a translation left in the source language. The
 * simulator plants them at `verifiableDefectRate` so tests can measure how
 * many the verifier stage catches.
 */
export type VerifiableDefectKind = 'wrong-total' | 'sql-syntax' | 'missing-key' | 'wrong-output-language';

const EQUATION_TAIL =
  /[0-9)]\s*[×÷*/+−-]\s*[(]?[0-9][0-9,.]*[^\n=]{0,8}=\s*([0-9][0-9,]*(?:\.[0-9]+)?)(?![0-9,.]*\s*[×÷*/+−-]\s*[0-9(])/g;
const SQL_FENCE = /(`{3,})sql\s*\n([\s\S]*?)\n?\1/i;
const JSON_FENCE = /(`{3,})json\s*\n([\s\S]*?)\n?\1/i;
const TRANSLATION = /^translation-([a-z]{2})-([a-z]{2})$/;

/** The right-hand number of the last calculation in the text, and where it stands. */
function lastTotal(output: string): { literal: string; index: number } | undefined {
  let last: { literal: string; index: number } | undefined;
  for (const m of output.matchAll(EQUATION_TAIL)) {
    last = { literal: m[1]!, index: m.index + m[0].length - m[1]!.length };
  }
  return last;
}

function jsonOf(output: string): Record<string, unknown> | undefined {
  const m = JSON_FENCE.exec(output);
  if (!m) return undefined;
  try {
    const v = JSON.parse(m[2]!) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function keysInInstruction(example: SimExample, json: Record<string, unknown>): string[] {
  return Object.keys(json).filter(
    (k) => /^[a-z_][a-z0-9_]*$/i.test(k) && new RegExp(`\\b${k}\\b`).test(example.instruction),
  );
}

/** Which verifiable defects fit this example (a calculation can get a wrong total, a query a syntax error, …). */
export function applicableVerifiableDefects(
  example: SimExample,
  category: string | undefined,
): VerifiableDefectKind[] {
  const kinds: VerifiableDefectKind[] = [];
  if (lastTotal(example.output) !== undefined) kinds.push('wrong-total');
  if (SQL_FENCE.test(example.output) && /\b(FROM|SELECT)\b/i.test(example.output)) kinds.push('sql-syntax');
  const json = jsonOf(example.output);
  // Only an instruction that lists the keys asks for them (three or more named).
  if (json && keysInInstruction(example, json).length >= 3) kinds.push('missing-key');
  const t = category ? TRANSLATION.exec(category) : null;
  if (t && t[1] !== t[2] && example.input.trim() !== '') kinds.push('wrong-output-language');
  return kinds;
}

function bump(literal: string, rng: SeededRandom): string {
  const digits = literal.replace(/,/g, '');
  const [whole, frac] = digits.split('.');
  const place = 10 ** Math.max(0, whole!.length - 2);
  const changed = Number(whole) + place * rng.int(1, 9);
  const grouped = literal.includes(',') ? changed.toLocaleString('en-US') : String(changed);
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** Gives a clean example one verifiable defect of the given kind. */
export function plantVerifiableDefect(
  example: SimExample,
  kind: VerifiableDefectKind,
  rng: SeededRandom,
): SimExample {
  switch (kind) {
    case 'wrong-total': {
      const total = lastTotal(example.output);
      if (!total) return example;
      const wrong = bump(total.literal, rng);
      const { index, literal } = total;
      return {
        ...example,
        output: `${example.output.slice(0, index)}${wrong}${example.output.slice(index + literal.length)}`,
      };
    }
    case 'sql-syntax': {
      const typo = rng.pick([
        [/\bFROM\b/, 'FORM'],
        [/\bSELECT\b/, 'SELET'],
        [/\bGROUP BY\b/, 'GROUP'],
        [/\bFROM\b/, 'FROM FROM'],
      ] as const);
      const [pattern, to] = typo[0].test(example.output) ? typo : ([/\bSELECT\b/, 'SELET'] as const);
      return {
        ...example,
        output: example.output.replace(SQL_FENCE, (block) =>
          block.replace(new RegExp(pattern.source, 'i'), to),
        ),
      };
    }
    case 'missing-key': {
      const json = jsonOf(example.output)!;
      const key = rng.pick(keysInInstruction(example, json));
      const { [key]: _dropped, ...rest } = json;
      return {
        ...example,
        output: example.output.replace(
          JSON_FENCE,
          (_m, fence: string) => `${fence}json\n${JSON.stringify(rest, null, 2)}\n${fence}`,
        ),
      };
    }
    case 'wrong-output-language':
      return { ...example, output: example.input };
  }
}

/**
 * The simulated repairer's answer to the verifier's evidence (reasons of the
 * form `verifier (<check>): <error>`): it undoes what the evidence points at —
 * puts back the recomputed number, fixes the SQL typo, adds the missing key,
 * writes the answer in the right language. Undefined when no reason comes
 * from the verifier.
 */
export function repairVerifiableDefect(
  example: SimExample,
  reasons: readonly string[],
): SimExample | undefined {
  const evidence = reasons.filter((r) => r.startsWith('verifier ('));
  if (evidence.length === 0) return undefined;
  let output = example.output;
  for (const reason of evidence) {
    const arithmetic =
      /^verifier \(arithmetic\): .* is (-?[0-9]+(?:\.[0-9]+)?), not \(?(-?[0-9]+(?:\.[0-9]+)?)\)? \(line/.exec(
        reason,
      );
    if (arithmetic) {
      const [, right, wrong] = arithmetic;
      output = output.replace(/[0-9][0-9,]*(?:\.[0-9]+)?/g, (lit) => {
        if (lit.replace(/,/g, '') !== wrong) return lit;
        const places = lit.includes('.') ? lit.length - lit.indexOf('.') - 1 : 0;
        const value = Number(right);
        return lit.includes(',')
          ? value.toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places })
          : value.toFixed(places);
      });
      continue;
    }
    if (reason.startsWith('verifier (sql):')) {
      output = output
        .replace(/\bFORM\b/g, 'FROM')
        .replace(/\bSELET\b/g, 'SELECT')
        .replace(/\bFROM FROM\b/g, 'FROM')
        .replace(/\bGROUP\b(?! BY)/g, 'GROUP BY');
      continue;
    }
    const keys = /^verifier \(json\): .*missing the key\(s\) (.+?) \(required/.exec(reason);
    if (keys) {
      const missing = [...keys[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
      output = output.replace(JSON_FENCE, (block, fence: string, body: string) => {
        try {
          const obj = JSON.parse(body) as Record<string, unknown>;
          for (const k of missing) obj[k] = null;
          return `${fence}json\n${JSON.stringify(obj, null, 2)}\n${fence}`;
        } catch {
          return block;
        }
      });
      continue;
    }
    if (reason.startsWith('verifier (lang):')) {
      output = /should be Japanese/.test(reason)
        ? '以下のとおり翻訳しました。内容は原文のとおりです。'
        : 'Here is the translation of the text above, with the same names, numbers and dates as the original.';
    }
  }
  return { ...example, output };
}

/**
 * With probability `rate` (decided from the seed, the request and the item
 * number, apart from every other choice the generator makes), a verifiable
 * defect that fits the example, planted; otherwise undefined.
 */
export function maybePlantVerifiableDefect(
  example: SimExample,
  category: string | undefined,
  rate: number,
  ...decidedBy: Array<string | number>
): { example: SimExample; kind: VerifiableDefectKind } | undefined {
  if (rate <= 0) return undefined;
  const rng = new SeededRandom(...decidedBy, 'verifiable-defect');
  if (!rng.chance(rate)) return undefined;
  const kinds = applicableVerifiableDefects(example, category);
  if (kinds.length === 0) return undefined;
  const kind = rng.pick(kinds);
  return { example: plantVerifiableDefect(example, kind, rng), kind };
}

/** The reasons of a repair request's feedback (`payload.feedback.reasons`). */
export function feedbackReasons(payload: Record<string, unknown>): string[] {
  const feedback = payload.feedback as { reasons?: unknown } | undefined;
  return Array.isArray(feedback?.reasons)
    ? feedback.reasons.filter((r): r is string => typeof r === 'string')
    : [];
}
