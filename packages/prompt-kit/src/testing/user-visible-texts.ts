/** What one run of a stage under test showed: its emissions and its failures. */
export interface StageRunOutput {
  emissions: readonly unknown[];
  failed: readonly { code: string; message: string }[];
}

/**
 * Everything a user can see from stage runs, as three JSON texts: the
 * emitted records, the failures' codes and messages, and the log entries.
 * A test that a secret never shows checks each of them.
 *
 * @example
 * ```ts
 * for (const text of userVisibleTexts(results, logger.entries)) {
 *   expect(text).not.toContain(API_KEY);
 * }
 * ```
 */
export function userVisibleTexts(
  results: readonly StageRunOutput[],
  logEntries: readonly unknown[],
): string[] {
  return [
    JSON.stringify(results.map((r) => r.emissions)),
    JSON.stringify(results.map((r) => r.failed.map((f) => ({ code: f.code, message: f.message })))),
    JSON.stringify(logEntries),
  ];
}
