import { Ajv, type ValidateFunction } from 'ajv';
import { type CheckResult, clip, failed, fencedBlock, passed, skipped } from '../check-result.ts';
import type { JsonSpec } from '../verify-spec.ts';

export type { JsonSpec };

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ID = String.raw`[A-Za-z_][A-Za-z0-9_]*(?:\s*\([^)]*\))?`;
const SEP = String.raw`\s*(?:,\s*(?:and\s+|or\s+)?|、|\s(?:and|or)\s|および|と)\s*`;
const KEY_LIST = new RegExp(
  String.raw`(?:\bkeys?\b|\bfields?\b|\bjson\s*[-–—:]|キー|項目名)[^A-Za-z_]{0,20}(${ID}(?:${SEP}${ID})+)`,
  'gi',
);

/**
 * The keys an instruction lists: `… as JSON with these keys — vendor,
 * invoice_number, line_items (description, …), total.` gives vendor,
 * invoice_number, line_items, total (parenthesised sub-keys are not top-level).
 */
export function keysNamedIn(instruction: string): string[] {
  let best: string[] = [];
  for (const m of instruction.matchAll(KEY_LIST)) {
    const list = m[1]!.replace(/\([^)]*\)/g, '');
    const keys = list
      .split(/,|、|\band\b|\bor\b|および|と/)
      .map((s) => s.trim())
      .filter((s) => KEY.test(s));
    if (keys.length > best.length) best = [...new Set(keys)];
  }
  return best.length >= 2 ? best : [];
}

/** The JSON in an output: a ```json block, or the whole output when it is one JSON value. */
export function jsonTextOf(output: string): string | undefined {
  const block = fencedBlock(output, ['json', 'jsonc']);
  if (block !== undefined) return block;
  const t = output.trim();
  return t.startsWith('{') || t.startsWith('[') ? t : undefined;
}

export function checkJson(instruction: string, output: string, spec: JsonSpec = {}): CheckResult {
  const text = jsonTextOf(output);
  const asked = /json/i.test(instruction);
  if (text === undefined) {
    if (asked)
      return failed('json', 'the instruction asks for JSON but the output has no JSON (no ```json block)');
    return skipped('json', 'the instruction does not ask for JSON');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return failed('json', `the JSON in the output does not parse: ${(err as Error).message}`);
  }
  const required = [
    ...(spec.requiredKeys ?? []),
    ...(spec.keysFromInstruction === false ? [] : keysNamedIn(instruction)),
  ];
  if (required.length > 0) {
    const objects = Array.isArray(value) ? value : [value];
    for (const [i, obj] of objects.entries()) {
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
        return failed(
          'json',
          `the JSON ${Array.isArray(value) ? `item ${i}` : 'value'} is not an object: ${clip(JSON.stringify(obj))}`,
        );
      }
      const missing = required.filter((k) => !(k in obj));
      if (missing.length > 0) {
        return failed(
          'json',
          `the JSON ${Array.isArray(value) ? `item ${i} ` : ''}is missing the key(s) ${missing.map((k) => `"${k}"`).join(', ')} (required: ${required.join(', ')})`,
        );
      }
    }
  }
  if (spec.schema) {
    let validate = compiled.get(spec.schema);
    if (!validate) {
      validate = ajv.compile(spec.schema);
      compiled.set(spec.schema, validate);
    }
    if (!validate(value)) {
      const errors = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`);
      return failed('json', `the JSON does not match the category's schema: ${errors.join('; ')}`);
    }
  }
  return passed('json', required.length > 0 ? `keys ${required.join(', ')}` : 'parses');
}
