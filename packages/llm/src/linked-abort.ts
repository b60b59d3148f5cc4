/** A controller linked to source signals, from {@link linkedAbort}. */
export interface LinkedAbort {
  signal: AbortSignal;
  /** Aborts this controller only (not the sources). */
  abort: (reason?: unknown) => void;
  /** Stops listening to the sources. */
  dispose: () => void;
}

/**
 * An AbortController that aborts when any source signal does, and stops
 * listening to them on `dispose()`. Long-lived sources (the client's close
 * signal) would otherwise collect one listener per request.
 */
export function linkedAbort(...sources: Array<AbortSignal | undefined>): LinkedAbort {
  const controller = new AbortController();
  const live = sources.filter((s): s is AbortSignal => s !== undefined);
  const already = live.find((s) => s.aborted);
  if (already) {
    controller.abort(already.reason);
    return { signal: controller.signal, abort: (r) => controller.abort(r), dispose: () => {} };
  }
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  for (const s of live) s.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => {
      for (const s of live) s.removeEventListener('abort', onAbort);
    },
  };
}
