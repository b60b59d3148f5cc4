import { parseArgs } from 'node:util';
import type { LlmSim, LlmSimOptions } from './llm-sim-options.ts';
import { startLlmSim } from './start-llm-sim.ts';

const USAGE = `Usage: tane llm-sim [options]

Deterministic OpenAI-compatible simulator (not a real model) for demos and tests.

Options:
  --port <n>            TCP port (default 8000; 0 picks a free one)
  --host <addr>         listen address (default 127.0.0.1)
  --seed <n>            changes every generated text and fault decision (default 1)
  --latency-median <ms> median reply latency (lognormal; needs --latency-p99)
  --latency-p99 <ms>    99th percentile latency
  --latency-fixed <ms>  fixed reply latency instead of lognormal
  --fault-429 <rate>    share of attempts answered 429 with Retry-After (0..1)
  --retry-after <s>     seconds in the Retry-After header (default 1)
  --fault-500 <rate>    share of attempts answered 500
  --fault-timeout <rate> share of attempts that never get an answer
  --truncated <rate>    share of replies cut off mid-body
  --malformed <rate>    share of replies whose content is not valid JSON
  --style <clean|messy> clean JSON replies (default), or messy ones like real open
                        models: fences, preambles, trailing commas, single quotes,
                        comments, empty or cut-off replies, meta-talk, refusals
  --require-api-key <k> answer 401 unless this bearer key is sent
  -h, --help            show this help`;

/** Where the CLI prints; tests pass their own. */
export interface LlmSimCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

function number(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new Error(`--${name} must be a number between ${min} and ${max} (got "${raw}")`);
  }
  return n;
}

/**
 * Entry point of `tane llm-sim`: parses flags, starts the simulator and prints
 * its URL. Resolves to the running simulator (or undefined for `--help`); the
 * process keeps serving until it is closed or receives SIGINT/SIGTERM.
 *
 * @example
 * ```ts
 * const sim = await runLlmSimCli(['--port', '0', '--fault-429', '0.05']);
 * ```
 */
export async function runLlmSimCli(
  argv: readonly string[],
  io: LlmSimCliIo = {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  },
): Promise<LlmSim | undefined> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      'latency-median': { type: 'string' },
      'latency-p99': { type: 'string' },
      'latency-fixed': { type: 'string' },
      'fault-429': { type: 'string' },
      'retry-after': { type: 'string' },
      'fault-500': { type: 'string' },
      'fault-timeout': { type: 'string' },
      truncated: { type: 'string' },
      malformed: { type: 'string' },
      'require-api-key': { type: 'string' },
      style: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(USAGE);
    return undefined;
  }
  const median = number('latency-median', values['latency-median'], 0, 3_600_000);
  const p99 = number('latency-p99', values['latency-p99'], 0, 3_600_000);
  const fixed = number('latency-fixed', values['latency-fixed'], 0, 3_600_000);
  if ((median === undefined) !== (p99 === undefined)) {
    throw new Error('--latency-median and --latency-p99 go together');
  }
  const options: LlmSimOptions = {
    port: number('port', values.port, 0, 65535) ?? 8000,
    host: values.host ?? '127.0.0.1',
    seed: number('seed', values.seed, -(2 ** 31), 2 ** 31) ?? 1,
    faults: {
      rate429: number('fault-429', values['fault-429'], 0, 1),
      retryAfterS: number('retry-after', values['retry-after'], 0, 3600),
      rate500: number('fault-500', values['fault-500'], 0, 1),
      rateTimeout: number('fault-timeout', values['fault-timeout'], 0, 1),
      rateTruncated: number('truncated', values.truncated, 0, 1),
      rateMalformedJson: number('malformed', values.malformed, 0, 1),
    },
  };
  if (median !== undefined && p99 !== undefined) options.latency = { medianMs: median, p99Ms: p99 };
  else if (fixed !== undefined) options.latency = { fixedMs: fixed };
  if (values['require-api-key']) options.requireApiKey = values['require-api-key'];
  if (values.style !== undefined) {
    if (values.style !== 'clean' && values.style !== 'messy') {
      throw new Error(`--style must be clean or messy (got "${values.style}")`);
    }
    options.style = values.style;
  }
  const sim = await startLlmSim(options);
  io.out(
    `llm-sim (simulator, not a real model) listening on ${sim.url}${options.style === 'messy' ? ' (messy replies)' : ''}`,
  );
  const stop = () => {
    void sim.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const close = sim.close;
  return {
    ...sim,
    close: async () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await close();
    },
  };
}
