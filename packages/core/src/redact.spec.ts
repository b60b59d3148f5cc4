import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactSecrets, redactValue, registerSecret } from './redact.ts';

const SECRET_NAMES = ['api_key', 'apiKey', 'password', 'passwd', 'token', 'secret', 'authorization'];
const quoted = (name: string, value: string, sep: string, q: string) => `${name}${sep}${q}${value}${q}`;

describe('redactValue', () => {
  it('redacts `name = "value"` inside a string without breaking the JSON it is written to', () => {
    const record = { data: { input: 'config: password = "hunter2" and api_key="abc123xyz"', n: 1 } };
    const out = redactValue(record);
    expect(() => JSON.parse(JSON.stringify(out))).not.toThrow();
    expect(JSON.stringify(out)).not.toContain('hunter2');
    expect(JSON.stringify(out)).not.toContain('abc123xyz');
    expect(out.data.n).toBe(1);
  });

  it('replaces the string value of a property named like a credential, and leaves numbers alone', () => {
    expect(
      redactValue({ apiKey: 'k-1', accessToken: 'tok', usage: { completionTokens: 12 }, note: 'ok' }),
    ).toEqual({
      apiKey: '[redacted]',
      accessToken: '[redacted]',
      usage: { completionTokens: 12 },
      note: 'ok',
    });
  });

  it('never throws and always gives JSON of the same shape, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const out = redactValue(value);
        const text = JSON.stringify(out);
        expect(JSON.stringify(JSON.parse(text))).toBe(text);
        if (Array.isArray(value)) expect((out as unknown[]).length).toBe(value.length);
        if (value && typeof value === 'object' && !Array.isArray(value))
          // (two property names can redact to the same one)
          expect(Object.keys(out as object).length).toBeLessThanOrEqual(Object.keys(value).length);
      }),
      { numRuns: 500 },
    );
  });

  it('removes a secret written as name=value in any quoting, whatever the surrounding text', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{8,24}$/);
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom(...SECRET_NAMES),
        secret,
        fc.constantFrom('=', ' = ', ': ', ':'),
        fc.constantFrom('"', "'", '', '\\"'),
        fc.string(),
        (before, name, value, sep, q, after) => {
          fc.pre(!before.includes(value) && !after.includes(value));
          const record = { id: 'r', data: { input: `${before} ${quoted(name, value, sep, q)} ${after}` } };
          const out = redactValue(record);
          const text = JSON.stringify(out);
          expect(JSON.parse(text)).toEqual(out);
          expect(text).not.toContain(value);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('removes a registered secret from every string and property name of any record', () => {
    registerSecret('reg-SECRET-77aa');
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (value, around) => {
        const out = redactValue({ a: value, b: `${around}reg-SECRET-77aa${around}`, 'reg-SECRET-77aa': 1 });
        expect(JSON.stringify(out)).not.toContain('reg-SECRET-77aa');
      }),
      { numRuns: 200 },
    );
  });

  it('cuts structures deeper than any record instead of overflowing the stack', () => {
    let deep: unknown = 'password="x1234567"';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => JSON.stringify(redactValue(deep))).not.toThrow();
  });
});

describe('redactSecrets', () => {
  it('returns a string for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(typeof redactSecrets(s)).toBe('string');
      }),
    );
  });
});
