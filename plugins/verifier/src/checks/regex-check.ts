import { type CheckResult, failed, passed } from '../check-result.ts';

/** Patterns (JavaScript regular expressions, flag `u`) the output must or must not contain. */
export interface RegexSpec {
  required?: string[];
  forbidden?: string[];
}

export function checkPatterns(output: string, spec: RegexSpec): CheckResult {
  const missing = (spec.required ?? []).filter((p) => !new RegExp(p, 'u').test(output));
  const present = (spec.forbidden ?? []).filter((p) => new RegExp(p, 'u').test(output));
  const problems = [
    ...missing.map((p) => `the output does not match the required pattern /${p}/`),
    ...present.map((p) => `the output matches the forbidden pattern /${p}/`),
  ];
  return problems.length > 0 ? failed('regex', problems.join('; ')) : passed('regex');
}
