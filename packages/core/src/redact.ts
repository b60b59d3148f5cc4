const SECRET_PATTERNS: RegExp[] = [
  // OpenAI-style and generic bearer keys
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  // key=value / "key": "value" forms for common secret names
  // (a quote may be backslash-escaped: a JSON or code snippet inside a text)
  /((?:api[_-]?key|apikey|password|passwd|secret|token|authorization|sasl[_-]?password)\\?["']?\s*[:=]\s*\\?["']?)([^"'\s,}&\\]+)/gi,
  // credentials in URLs: scheme://user:pass@host
  /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)([^@\s/]+)(@)/gi,
];

const registered = new Set<string>();

/**
 * Registers a secret value (an API key, a SASL password) so that
 * {@link redactSecrets} removes it wherever it appears, whatever its shape.
 */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) registered.add(value);
}

/**
 * Removes API keys, passwords and credentials from a text before it is logged,
 * traced, reported or written to the dead-letter topic.
 *
 * @example
 * ```ts
 * redactSecrets('401 for key sk-abc123456789'); // '401 for key [redacted]'
 * ```
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of registered) out = out.split(secret).join('[redacted]');
  out = out.replace(SECRET_PATTERNS[0]!, '[redacted]');
  out = out.replace(SECRET_PATTERNS[1]!, '$1 [redacted]');
  out = out.replace(SECRET_PATTERNS[2]!, '$1[redacted]');
  out = out.replace(SECRET_PATTERNS[3]!, '$1[redacted]$3');
  return out;
}

// A property whose name says it holds a credential has its whole string value removed.
const SECRET_KEY = /(?:api[_-]?key|apikey|password|passwd|secret|token|authorization)$/i;

/**
 * Removes secrets from a JSON-like value, in its structure: every string (and
 * property name) goes through {@link redactSecrets}, and the string value of a
 * property named like a credential (`api_key`, `password`, `accessToken`, …)
 * becomes `[redacted]`. The result has the same shape and serializes to valid
 * JSON whatever the strings hold — unlike redacting serialized JSON, whose
 * escapes a pattern can cut in half.
 *
 * @example
 * ```ts
 * redactValue({ input: 'password = "hunter2"', apiKey: 'abc' });
 * // { input: 'password = "[redacted]"', apiKey: '[redacted]' }
 * ```
 */
export function redactValue<T>(value: T): T {
  return redactNode(value, undefined, 0) as T;
}

function redactNode(value: unknown, key: string | undefined, depth: number): unknown {
  if (typeof value === 'string') {
    return key !== undefined && SECRET_KEY.test(key) && value.length > 0
      ? '[redacted]'
      : redactSecrets(value);
  }
  if (value === null || typeof value !== 'object') return value;
  // Deeper than any record: cut instead of overflowing the stack.
  if (depth > 100) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redactNode(v, undefined, depth + 1));
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return redactNode((value as { toJSON(): unknown }).toJSON(), key, depth);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[redactSecrets(k)] = redactNode(v, k, depth + 1);
  return out;
}
