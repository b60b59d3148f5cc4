/** How often and how patiently {@link withRetries} tries again. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt; each later wait doubles, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The package's one retry loop: runs `fn` until it succeeds, `shouldRetry`
 * says no, or the attempts are spent, and throws the last error.
 *
 * kafkajs retries single requests itself; this is for whole steps made of
 * several requests (a transaction, an admin call whose coordinator moved).
 *
 * @example
 * ```ts
 * await withRetries(TRANSACTION_RETRY, () => writer.commit(messages, offset), (err) => isRetryable(err));
 * ```
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  shouldRetry: (err: unknown, attempt: number) => boolean,
): Promise<T> {
  let delay = policy.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.attempts || !shouldRetry(err, attempt)) throw err;
      await sleep(delay);
      delay = Math.min(policy.maxDelayMs, delay * 2);
    }
  }
}
