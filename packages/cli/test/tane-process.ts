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
  stdout: () => string;
  stderr: () => string;
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
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
    stderr += d;
  });
  // 'close', not 'exit': every byte of output has arrived by then.
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, exited, output: () => out, stdout: () => stdout, stderr: () => stderr };
}
