import type { SeededRandom } from './seeded-random.ts';

type Schema = Record<string, unknown>;

/**
 * A small value that satisfies a JSON Schema (objects, arrays, strings,
 * numbers, enums, const), for requests that ask for structured output without
 * any tane markers. Unsupported keywords are ignored.
 */
export function schemaInstance(schema: unknown, rng: SeededRandom, hint: string, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 6) return null;
  const s = schema as Schema;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return rng.pick(s.enum);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) return schemaInstance(options[0], rng, hint, depth + 1);
  }
  if (Array.isArray(s.allOf) && s.allOf.length > 0) return schemaInstance(s.allOf[0], rng, hint, depth + 1);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const required = Array.isArray(s.required) ? (s.required as string[]) : Object.keys(props);
      const out: Record<string, unknown> = {};
      for (const key of required)
        out[key] = schemaInstance(props[key] ?? { type: 'string' }, rng, key, depth + 1);
      return out;
    }
    case 'array': {
      const min = typeof s.minItems === 'number' ? s.minItems : 1;
      const max = typeof s.maxItems === 'number' ? s.maxItems : Math.max(min, 3);
      const n = Math.min(max, Math.max(min, rng.int(min, Math.max(min, Math.min(max, 3)))));
      return Array.from({ length: n }, (_, i) =>
        schemaInstance(s.items ?? { type: 'string' }, rng, `${hint}-${i}`, depth + 1),
      );
    }
    case 'integer':
    case 'number': {
      const lo = typeof s.minimum === 'number' ? s.minimum : 0;
      const hi = typeof s.maximum === 'number' ? s.maximum : lo + 100;
      return type === 'integer' ? rng.int(Math.ceil(lo), Math.floor(hi)) : lo + rng.next() * (hi - lo);
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    default: {
      const min = typeof s.minLength === 'number' ? s.minLength : 0;
      const base = `${hint} ${rng.int(1000, 9999)}`;
      return base.length >= min ? base : base.padEnd(min, 'x');
    }
  }
}
