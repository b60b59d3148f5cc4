import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach } from 'vitest';

const bin = resolve(import.meta.dirname, '../bin/tane.js');

/** A `tane` child process, with everything it printed so far. */
export interface TaneProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  output: () => string;
}

const running: ChildProcess[] = [];
afterEach(() => {
  // A failed assertion must not leave a worker running.
  for (const child of running.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts `tane <args>` in `cwd`; it is killed after the test if still running. */
export function startTane(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): TaneProcess {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, output: () => out };
}
