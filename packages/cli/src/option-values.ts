import { TaneError } from '@tane/core';

/**
 * A command-line option that takes a count, checked where it is parsed so the
 * error names the flag the user typed and nothing is opened or started first.
 *
 * @example
 * ```ts
 * wholeNumber('--max-rounds', opts.maxRounds, 1); // 8
 * wholeNumber('--target', 'abc', 0); // throws USAGE: --target must be a whole number ≥ 0 (got "abc")
 * ```
 */
export function wholeNumber(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new TaneError('USAGE', `${flag} must be a whole number ≥ ${min} (got ${JSON.stringify(value)})`, {
      where: flag,
      hint: `for example ${flag} ${Math.max(min, 10)}`,
    });
  }
  return n;
}
