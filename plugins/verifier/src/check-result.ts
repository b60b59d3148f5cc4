/** The kinds of check a category can declare. */
export type CheckName = 'sql' | 'arithmetic' | 'json' | 'formula' | 'lang' | 'length' | 'regex';

/** What one check found. */
export interface CheckResult {
  check: CheckName;
  /** `passed`: checked and right; `failed`: checked and wrong (see `error`); `skipped`: nothing to check (see `note`). */
  status: 'passed' | 'failed' | 'skipped';
  /** For `failed`: the concrete error, as the repairer is shown it. */
  error?: string;
  /** For `skipped` (why) or `passed` (what was checked). */
  note?: string;
}

export const passed = (check: CheckName, note?: string): CheckResult => ({
  check,
  status: 'passed',
  ...(note ? { note } : {}),
});
export const failed = (check: CheckName, error: string): CheckResult => ({ check, status: 'failed', error });
export const skipped = (check: CheckName, note: string): CheckResult => ({ check, status: 'skipped', note });

/** The first fenced code block of a given language (or any fence when `langs` is empty). */
export function fencedBlock(text: string, langs: readonly string[]): string | undefined {
  for (const m of text.matchAll(/(`{3,})([\w+-]*)[^\n]*\n([\s\S]*?)\n?\1(?!`)/g)) {
    const lang = m[2]!.toLowerCase();
    if (langs.length === 0 || langs.includes(lang)) return m[3]!;
  }
  return undefined;
}

/** Text cut to `max` characters, for error messages. */
export function clip(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max)}…`;
}
