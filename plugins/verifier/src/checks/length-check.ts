import { type CheckResult, failed, passed } from '../check-result.ts';
import type { LengthSpec } from '../verify-spec.ts';

export type { LengthSpec };

export function checkLength(output: string, spec: LengthSpec): CheckResult {
  const n = [...output.trim()].length;
  if (spec.min !== undefined && n < spec.min) {
    return failed('length', `the output has ${n} characters; at least ${spec.min} are required`);
  }
  if (spec.max !== undefined && n > spec.max) {
    return failed('length', `the output has ${n} characters; at most ${spec.max} are allowed`);
  }
  return passed('length', `${n} characters`);
}
