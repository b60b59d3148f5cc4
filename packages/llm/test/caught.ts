import type { TaneError } from '@tane/core';

/** The error a call rejects with; fails the test if the call succeeds. */
export async function caught(call: Promise<unknown>): Promise<TaneError> {
  try {
    await call;
  } catch (err) {
    return err as TaneError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
