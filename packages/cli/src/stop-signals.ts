/**
 * SIGINT/SIGTERM for the whole process, in one place. Commands that drain
 * before exiting (`run`, `demo`, `replay`) install this as the very first
 * thing, so a stop signal that arrives while modules still load — a worker
 * stopped right after it was started — is kept and acted on once the command
 * listens, instead of killing the process half-way through its start.
 */
type Listener = (signal: NodeJS.Signals) => void;

let received: NodeJS.Signals | undefined;
let installed = false;
const listeners = new Set<Listener>();

/** Records a signal received before this module was loaded (the bin script keeps those). */
export function noteStopSignal(signal: NodeJS.Signals): void {
  onSignal(signal);
}

function onSignal(signal: NodeJS.Signals): void {
  received ??= signal;
  for (const l of [...listeners]) l(signal);
}

/** Starts keeping SIGINT/SIGTERM for {@link onStopSignal}; safe to call twice. */
export function installStopSignals(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * Calls `listener` on every SIGINT/SIGTERM — at once if one arrived before it
 * listened. Returns the function that stops listening.
 */
export function onStopSignal(listener: Listener): () => void {
  installStopSignals();
  listeners.add(listener);
  if (received) listener(received);
  return () => listeners.delete(listener);
}
