import { type Logger, redactSecrets, TaneError, type Transport } from '@tane/core';
import { Engine, type EngineHooks, type LoadedPipeline } from '@tane/core/engine';
import { checkPipelineEndpoints } from './check-endpoints.ts';
import { assertStageFiles } from './check-stage-files.ts';
import { Progress, type ProgressMode } from './progress.ts';
import { onStopSignal } from './stop-signals.ts';

export interface RunPipelineOptions {
  pipeline: LoadedPipeline;
  transport: Transport;
  logger: Logger;
  group?: string;
  dataDir?: string;
  replay?: { from: string; suffix: string };
  untilIdle: boolean;
  quietMs?: number;
  progress: ProgressMode;
  targets?: Record<string, number>;
  baseline?: Record<string, number>;
  hooks?: EngineHooks;
  /** Receives consumer lag per input partition every few seconds (telemetry's gauge). */
  onLag?: (topic: string, partition: number, lag: number) => void;
  /** Called after the engine stopped, while LLM clients are still open (e.g. to save their usage). */
  onStopped?: (engine: Engine) => Promise<void>;
  /** The caller already ran {@link preflight} (before opening the transport). */
  preflightDone?: boolean;
  /** Called once the engine runs (e.g. to publish work for it). Its promise is awaited before idling counts. */
  whileRunning?: (engine: Engine) => Promise<void>;
}

export interface RunOutcome {
  engine: Engine;
  /** True when stopped by SIGINT/SIGTERM (after a clean drain). */
  interrupted: boolean;
}

/** Lag = end offset − the group's committed offset, for every partition of every input topic. */
async function reportLag(engine: Engine, options: RunPipelineOptions): Promise<void> {
  try {
    for (const input of engine.topology.inputs) {
      const [ends, committed] = await Promise.all([
        options.transport.offsets(input.physical),
        options.transport.committedOffsets(engine.group, input.physical),
      ]);
      for (const end of ends) {
        const c = committed.find((x) => x.partition === end.partition)?.offset ?? end.low;
        options.onLag?.(input.physical, end.partition, Math.max(0, end.high - c));
      }
    }
  } catch {
    // lag is best effort: the next tick tries again
  }
}

/** One line per model endpoint used: requests, tokens, cache hits (a replay should show only cache hits). */
async function reportLlmUsage(logger: Logger): Promise<void> {
  const { llmClients } = await import('@tane/llm');
  for (const client of llmClients()) {
    const u = client.usage();
    logger.info(
      `LLM usage at ${u.endpoint} (${u.model}): ${u.totals.requests} requests, ${u.totals.promptTokens} prompt + ` +
        `${u.totals.completionTokens} completion tokens, ${u.totals.cacheHits} cache hits, ${u.totals.throttled} throttled, ${u.totals.retries} retries`,
    );
  }
}

/** LLM clients are shared by every stage of the process: close them once the engine has stopped. */
async function closeLlmClients(): Promise<void> {
  const { closeAllLlmClients } = await import('@tane/llm');
  await closeAllLlmClients().catch(() => {});
}

/** Merges hook sets (telemetry, progress) into one. */
export function combineHooks(...sets: (EngineHooks | undefined)[]): EngineHooks {
  const list = sets.filter((s): s is EngineHooks => !!s);
  const arounds = list.flatMap((h) => (h.aroundStage ? [h.aroundStage.bind(h)] : []));
  const listeners = list.flatMap((h) => (h.onEvent ? [h.onEvent.bind(h)] : []));
  const hooks: EngineHooks = {};
  if (arounds.length > 0) {
    hooks.aroundStage = (info, run) =>
      arounds.reduceRight<() => ReturnType<typeof run>>((next, around) => () => around(info, next), run)();
  }
  if (listeners.length > 0) {
    hooks.onEvent = (event) => {
      for (const l of listeners) l(event);
    };
  }
  return hooks;
}

/**
 * Checks what would otherwise fail every record or fail at start: the files
 * the stages name (categories) and every model endpoint. A bad categories file
 * or a wrong model setup stops here, before anything is consumed, committed or
 * written.
 */
/**
 * Each model endpoint the stages use, with the requests this worker may have in flight to it:
 * `model @ endpoint (up to N in flight)`. As in `getLlmClient`, the first stage naming an
 * (endpoint, model) decides its limit. Credentials never appear (`safeEndpoint`).
 */
export async function endpointLimits(pipeline: LoadedPipeline): Promise<string[]> {
  const stages = Object.values(pipeline.configs).filter(
    (config) => config && typeof config.llm === 'object' && config.llm !== null,
  );
  if (stages.length === 0) return [];
  const { resolveLlmConfig } = await import('@tane/llm');
  const seen = new Map<string, string>();
  for (const config of stages) {
    const llm = config.llm as { baseURL?: string; model?: string; maxConcurrency?: number };
    try {
      const r = resolveLlmConfig({
        ...(llm.baseURL ? { baseURL: llm.baseURL } : {}),
        ...(llm.model ? { model: llm.model } : {}),
        ...(llm.maxConcurrency ? { maxConcurrency: llm.maxConcurrency } : {}),
        cachePath: false,
      });
      const key = `${r.baseURL}\u0000${r.model}`;
      if (!seen.has(key)) seen.set(key, `${r.model} @ ${r.endpoint} (up to ${r.maxConcurrency} in flight)`);
    } catch {
      // An endpoint that does not resolve was reported by the preflight check.
    }
  }
  return [...seen.values()];
}

export async function preflight(pipeline: LoadedPipeline, logger: Logger): Promise<{ simulator: boolean }> {
  await assertStageFiles(pipeline);
  return checkPipelineEndpoints(pipeline, logger);
}

/**
 * Runs a pipeline as one group member until idle (batch style) or until
 * SIGINT/SIGTERM (service style). A signal drains in-flight work, commits and
 * returns normally; a second signal exits at once.
 */
export async function runPipeline(options: RunPipelineOptions): Promise<RunOutcome> {
  const { logger } = options;
  if (!options.preflightDone) await preflight(options.pipeline, logger);
  let engineRef: Engine | undefined;
  const progress: Progress = new Progress({
    mode: options.progress,
    stats: () => engineRef!.stats,
    ...(options.targets ? { targets: options.targets } : {}),
    ...(options.baseline ? { baseline: options.baseline } : {}),
  });
  const engine: Engine = new Engine({
    pipeline: options.pipeline,
    transport: options.transport,
    logger,
    hooks: combineHooks(options.hooks, { onEvent: progress.onEvent }),
    ...(options.group ? { group: options.group } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.replay ? { replay: options.replay } : {}),
  });
  engineRef = engine;
  let interrupted = false;
  let signalled: () => void = () => {};
  const stopRequested = new Promise<void>((r) => {
    signalled = r;
  });
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) {
      logger.error(
        `second ${sig}: exiting without draining; unfinished records will be processed again on restart`,
      );
      process.exit(130);
    }
    interrupted = true;
    logger.info(
      `${sig} received: finishing in-flight records, committing, then exiting (press Ctrl-C again to exit at once)`,
    );
    signalled();
  };
  const stopListening = onStopSignal(onSignal);
  let stopLag = () => {};
  try {
    await engine.start();
    const endpoints = await endpointLimits(options.pipeline);
    logger.info('running', {
      pipeline: options.pipeline.spec.name,
      group: engine.group,
      transport: options.transport.description,
      inputs: engine.topology.inputs.map((i) => i.physical).join(','),
      ...(endpoints.length > 0 ? { llm: endpoints.join('; ') } : {}),
    });
    progress.start();
    const lagTimer = options.onLag ? setInterval(() => void reportLag(engine, options), 5000) : undefined;
    lagTimer?.unref();
    stopLag = () => clearInterval(lagTimer);
    const failed = engine.failed();
    failed.catch(() => {});
    if (options.whileRunning) await Promise.race([options.whileRunning(engine), failed, stopRequested]);
    if (options.untilIdle) {
      const idle = new AbortController();
      await Promise.race([
        engine.waitUntilIdle({
          signal: idle.signal,
          ...(options.quietMs !== undefined ? { quietMs: options.quietMs } : {}),
        }),
        failed,
        stopRequested,
      ]).finally(() => idle.abort());
    } else {
      await Promise.race([failed, stopRequested]);
    }
    await engine.stop();
    await options.onStopped?.(engine);
    await reportLlmUsage(logger);
    await closeLlmClients();
    return { engine, interrupted };
  } catch (err) {
    // A TaneError is printed once, by the command (code, place and hint); anything else is logged here.
    if (!(err instanceof TaneError)) {
      logger.error('run failed', { error: redactSecrets(String((err as Error).message ?? err)) });
    }
    await engine.stop().catch(() => {});
    await closeLlmClients();
    throw err;
  } finally {
    stopLag();
    progress.stop();
    stopListening();
  }
}
