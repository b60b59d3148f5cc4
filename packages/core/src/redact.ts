const SECRET_PATTERNS: RegExp[] = [
  // OpenAI-style and generic bearer keys
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  // key=value / "key": "value" forms for common secret names
  /((?:api[_-]?key|apikey|password|passwd|secret|token|authorization|sasl[_-]?password)["']?\s*[:=]\s*["']?)([^"'\s,}&]+)/gi,
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
