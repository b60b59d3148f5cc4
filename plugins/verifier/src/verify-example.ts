import type { CheckResult } from './check-result.ts';
import { checkArithmetic } from './checks/arithmetic-check.ts';
import { checkFormula } from './checks/formula-check.ts';
import { checkJson } from './checks/json-check.ts';
import { checkLanguage } from './checks/lang-check.ts';
import { checkLength } from './checks/length-check.ts';
import { checkPatterns } from './checks/regex-check.ts';
import { checkSql } from './checks/sql-check.ts';
import type { VerifySpec } from './verify-spec.ts';

/** One example as the checks see it. */
export interface VerifiableExample {
  instruction: string;
  input: string;
  output: string;
}

/** What {@link verifyExample} found. */
export interface Verification {
  /** `verified`: every check that applied passed (at least one); `failed`: one failed; `unchecked`: none applied. */
  status: 'verified' | 'failed' | 'unchecked';
  checks: CheckResult[];
}

const options = <T extends object>(v: boolean | T | undefined): T | undefined =>
  v === undefined || v === false ? undefined : v === true ? ({} as T) : v;

/**
 * Runs the declared checks on an example, in a fixed order (sql, arithmetic,
 * json, formula, lang, length, regex); every check runs, so the repairer
 * sees every problem at once.
 *
 * @example
 * ```ts
 * verifyExample({ instruction, input: '', output: '228円 × 100個 = 23,800円' }, { arithmetic: true });
 * // → { status: 'failed', checks: [{ check: 'arithmetic', status: 'failed', error: '228 * 100 is 22800, not 23800 …' }] }
 * ```
 */
export function verifyExample(example: VerifiableExample, spec: VerifySpec): Verification {
  const { instruction, input, output } = example;
  const checks: CheckResult[] = [];
  const sql = options(spec.sql);
  if (sql) checks.push(checkSql(instruction, input, output, sql));
  if (spec.arithmetic) checks.push(checkArithmetic(output));
  const json = options(spec.json);
  if (json) checks.push(checkJson(instruction, output, json));
  if (spec.formula) checks.push(checkFormula(input, output));
  if (spec.lang) checks.push(checkLanguage(output, spec.lang));
  if (spec.length) checks.push(checkLength(output, spec.length));
  if (spec.regex) checks.push(checkPatterns(output, spec.regex));
  const status = checks.some((c) => c.status === 'failed')
    ? 'failed'
    : checks.some((c) => c.status === 'passed')
      ? 'verified'
      : 'unchecked';
  return { status, checks };
}
