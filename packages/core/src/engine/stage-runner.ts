import { mergeMap, Subject, type Subscription } from 'rxjs';
import { TaneError, toTaneError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Emission, StageImpl, StageInput, StageOutput } from '../plugin.ts';
import type { TaneRecord } from '../record.ts';
import { createRecordContext } from '../record-context.ts';
import type { Work } from './partition-tracker.ts';
import type { StageSpec } from './pipeline-file.ts';

/** One stage of the pipeline as it runs: its plugin, its input and its limits. */
export interface RunningStage {
  spec: StageSpec;
  pluginRef: string;
  impl: StageImpl;
  input: Subject<Work>;
  subscription?: Subscription;
  concurrency: number;
  timeoutMs: number;
  retries: number;
  /** Records enter in source order (see {@link OrderedGate}). */
  ordered: boolean;
}

/** How a stage call ends: with emissions, or with an error after `attempts` attempts. */
export type SettleStage = (
  stage: RunningStage,
  work: Work,
  emissions: Emission[] | undefined,
  error: unknown,
  attempts: number,
  durationMs: number,
) => void;

/** What a stage runner needs from the engine. */
export interface StageRunnerHost {
  readonly shutdown: AbortSignal;
  readonly logger: Logger;
  isStopping(): boolean;
  aroundStage?(
    info: { stage: string; plugin: string; record: TaneRecord },
    run: () => Promise<Emission[]>,
  ): Promise<Emission[]>;
  /** A record's stage call ended: with emissions, or with an error after `attempts` attempts. */
  settle: SettleStage;
  fail(err: Error): void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Subscribes a stage to its input: handlers through `mergeMap` with its concurrency, operators as they are. */
export function wireStage(stage: RunningStage, host: StageRunnerHost): void {
  const { impl } = stage;
  if (impl.kind === 'handler') {
    stage.subscription = stage.input
      .pipe(mergeMap((work) => runHandler(stage, work, host), stage.concurrency))
      .subscribe({ error: (err: unknown) => host.fail(toTaneError(err)) });
    return;
  }
  const works = new Map<StageInput, Work>();
  const inputs = new Subject<StageInput>();
  stage.input.subscribe({
    next: (work) => {
      const input: StageInput = {
        record: work.record,
        ctx: createRecordContext({
          stage: stage.spec.id,
          plugin: stage.pluginRef,
          signal: host.shutdown,
          attempt: 1,
          logger: host.logger.child({ stage: stage.spec.id }),
        }),
      };
      works.set(input, work);
      inputs.next(input);
    },
    complete: () => inputs.complete(),
  });
  stage.subscription = inputs.pipe(impl.operator).subscribe({
    next: (out: StageOutput) => {
      const work = works.get(out.input);
      if (!work) {
        host.logger.error('operator stage answered an input it was not given, or answered twice', {
          stage: stage.spec.id,
        });
        return;
      }
      works.delete(out.input);
      if (out.error !== undefined) host.settle(stage, work, undefined, out.error, 1, 0);
      else host.settle(stage, work, out.emissions, undefined, 1, 0);
    },
    error: (err: unknown) => host.fail(toTaneError(err)),
  });
}

/** One record through a handler stage: time limit, retries with backoff for retryable errors. */
/**
 * The records' abort controllers per shutdown signal, aborted together when it
 * fires. One listener per record on the shared signal would make every add and
 * remove O(listeners) (EventTarget checks for duplicates), with thousands of
 * records in flight.
 */
const inFlight = new WeakMap<AbortSignal, Set<AbortController>>();

export function abortOnShutdown(shutdown: AbortSignal, abort: AbortController): () => void {
  let live = inFlight.get(shutdown);
  if (!live) {
    const set = new Set<AbortController>();
    live = set;
    inFlight.set(shutdown, set);
    shutdown.addEventListener(
      'abort',
      () => {
        for (const a of [...set]) a.abort(new TaneError('STAGE_ERROR', 'worker shutting down'));
        set.clear();
      },
      { once: true },
    );
  }
  if (shutdown.aborted) {
    abort.abort(new TaneError('STAGE_ERROR', 'worker shutting down'));
    return () => {};
  }
  const set = live;
  set.add(abort);
  return () => set.delete(abort);
}

async function runHandler(stage: RunningStage, work: Work, host: StageRunnerHost): Promise<void> {
  if (stage.impl.kind !== 'handler') return;
  const handler = stage.impl;
  const started = Date.now();
  let lastError: unknown;
  let attempt = 0;
  for (attempt = 1; attempt <= stage.retries + 1; attempt++) {
    const abort = new AbortController();
    const forget = abortOnShutdown(host.shutdown, abort);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new TaneError(
          'STAGE_TIMEOUT',
          `stage '${stage.spec.id}' took longer than ${stage.timeoutMs} ms`,
          {
            where: `stage ${stage.spec.id}`,
            hint: `raise timeoutMs on stage '${stage.spec.id}' or make the plugin faster`,
            retryable: true,
          },
        );
        abort.abort(err);
        reject(err);
      }, stage.timeoutMs);
    });
    const ctx = createRecordContext({
      stage: stage.spec.id,
      plugin: stage.pluginRef,
      signal: abort.signal,
      attempt,
      logger: host.logger.child({ stage: stage.spec.id, record: work.record.id }),
    });
    const call = async (): Promise<Emission[]> => {
      const result = await handler.handle(work.record, ctx);
      return result === undefined ? [] : Array.isArray(result) ? result : [result];
    };
    try {
      const run = host.aroundStage
        ? () =>
            host.aroundStage!({ stage: stage.spec.id, plugin: stage.pluginRef, record: work.record }, call)
        : call;
      const emissions = await Promise.race([run(), timedOut]);
      host.settle(stage, work, emissions, undefined, attempt, Date.now() - started);
      return;
    } catch (err) {
      lastError = err;
      const retryable = !(err instanceof TaneError) || err.retryable;
      if (!retryable || attempt > stage.retries || host.isStopping()) break;
      await sleep(Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
    } finally {
      clearTimeout(timer);
      forget();
    }
  }
  host.settle(stage, work, undefined, lastError, Math.min(attempt, stage.retries + 1), Date.now() - started);
}
