import { type CheckResult, failed, passed } from '../check-result.ts';
import type { RegexSpec } from '../verify-spec.ts';

export type { RegexSpec };

export function checkPatterns(output: string, spec: RegexSpec): CheckResult {
  const missing = (spec.required ?? []).filter((p) => !new RegExp(p, 'u').test(output));
  const present = (spec.forbidden ?? []).filter((p) => new RegExp(p, 'u').test(output));
  const problems = [
    ...missing.map((p) => `the output does not match the required pattern /${p}/`),
    ...present.map((p) => `the output matches the forbidden pattern /${p}/`),
  ];
  return problems.length > 0 ? failed('regex', problems.join('; ')) : passed('regex');
}
