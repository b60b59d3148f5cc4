import { setMaxListeners } from 'node:events';
import { resolve } from 'node:path';
import { mergeMap, Subject, type Subscription } from 'rxjs';
import { TaneError, toTaneError } from '../errors.ts';
import { contentId, deriveId } from '../ids.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { Emission, StageImpl, StageInput, StageOutput, StageSetupContext } from '../plugin.ts';
import { parseRecord, type TaneRecord, validateRecord } from '../record.ts';
import { createRecordContext } from '../record-context.ts';
import { redactSecrets, redactValue } from '../redact.ts';
import type {
  ConsumedMessage,
  GroupConsumer,
  OutgoingMessage,
  TopicPartition,
  TopicSpec,
  Transport,
} from '../transport.ts';
import { OutputWriter } from './output-writer.ts';
import type { StageSpec } from './pipeline-file.ts';
import { type PipelineTopology, planTopology } from './topology.ts';
import type { LoadedPipeline } from './validate-pipeline.ts';
import { PartitionWatermark } from './watermark.ts';

/** The engine's own lineage name. */
export const ENGINE_LINEAGE = 'tane-engine';

export interface EngineOptions {
  pipeline: LoadedPipeline;
  transport: Transport;
  /** Consumer group; default `<prefix><pipeline>` (or `…replay.<suffix>` on replay). */
  group?: string;
  logger?: Logger;
  /** Folder for local state (caches, default dataset location). Default `./.tane`. */
  dataDir?: string;
  /** Replay: read `from` from its original topic and write every other topic with `.<suffix>`. */
  replay?: { from: string; suffix: string };
  hooks?: EngineHooks;
  clientId?: string;
}

/** Telemetry and progress plug in here without the engine knowing about them. */
export interface EngineHooks {
  /** Wraps one stage call (e.g. in a trace span); must call `run` and return its emissions. */
  aroundStage?(
    info: { stage: string; plugin: string; record: TaneRecord },
    run: () => Promise<Emission[]>,
  ): Promise<Emission[]>;
  onEvent?(event: EngineEvent): void;
}

export type EngineEvent =
  | { type: 'consumed'; topic: string; partition: number; offset: number }
  | { type: 'stage'; stage: string; category: string; durationMs: number; routes: string[]; error?: string }
  | { type: 'written'; topic: string; category: string; recordType: string }
  | { type: 'dead-lettered'; stage: string; category: string; code: string }
  | { type: 'dropped'; stage: string; category: string; route: string }
  | { type: 'committed'; topic: string; partition: number; offset: number };

/** Counters for progress displays and reports. */
export interface EngineStats {
  startedAt: number;
  consumed: number;
  inFlight: number;
  committed: number;
  deadLettered: number;
  stages: Record<
    string,
    { in: number; done: number; failed: number; inFlight: number; routes: Record<string, number> }
  >;
  written: Record<string, number>;
}

interface PartitionState {
  tp: TopicPartition;
  watermark: PartitionWatermark;
  /** Records of this partition not yet done. */
  inFlight: number;
  /** Transactional delivery: outputs of done offsets, written together with their commit. */
  ready: Map<number, OutgoingMessage[]>;
  waiters: (() => void)[];
  lastCommitted: number | undefined;
  /** `watermark.doneCount` at the last successful commit: delivered − this = not yet committed. */
  committedCount: number;
  owned: boolean;
}

/** Everything still to do for one source message; the offset is done when `pending` reaches 0. */
interface Token {
  ps: PartitionState;
  offset: number;
  pending: number;
  /** Transactional delivery: records bound for topics, held until the offset is committed. */
  outputs?: OutgoingMessage[];
}

interface Work {
  record: TaneRecord;
  token: Token;
}

interface RunningStage {
  spec: StageSpec;
  pluginRef: string;
  impl: StageImpl;
  input: Subject<Work>;
  subscription?: Subscription;
  concurrency: number;
  timeoutMs: number;
  retries: number;
}

const keyOf = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The stream engine: consumes the pipeline's input topics as one consumer
 * group member, runs records through the stages, writes routed records to
 * topics, and commits a source offset only when every record derived from it
 * is terminal (written to a topic, dropped, or dead-lettered).
 *
 * @example
 * ```ts
 * const pipeline = await loadPipeline('examples/ja-business/pipeline.yaml');
 * const engine = new Engine({ pipeline, transport });
 * await engine.start();
 * await engine.waitUntilIdle();
 * await engine.stop();
 * ```
 */
export class Engine {
  readonly topology: PipelineTopology;
  readonly group: string;
  private readonly logger: Logger;
  private readonly stages = new Map<string, RunningStage>();
  private readonly partitions = new Map<string, PartitionState>();
  private consumer: GroupConsumer | undefined;
  private writer: OutputWriter | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private readonly shutdown = new AbortController();
  private stopping = false;
  private stoppedPromise: Promise<void> | undefined;
  private releaseStopped!: () => void;
  private readonly gate = new Promise<void>((r) => {
    this.releaseStopped = r;
  });
  private fatalError: Error | undefined;
  private fatalListeners: ((err: Error) => void)[] = [];
  private inFlightTotal = 0;
  private sinceYield = 0;
  private commitChain: Promise<void> = Promise.resolve();
  /** True when the transport writes outputs and commits offsets atomically (exactly-once output). */
  transactional = false;
  readonly stats: EngineStats;

  constructor(private readonly options: EngineOptions) {
    const { spec } = options.pipeline;
    this.topology = planTopology(spec, options.replay);
    this.group = options.group ?? this.topology.defaultGroup;
    // Every record in a stage listens for shutdown; thousands may be in flight at once.
    setMaxListeners(0, this.shutdown.signal);
    this.logger = (options.logger ?? silentLogger).child({ pipeline: spec.name, group: this.group });
    this.stats = {
      startedAt: Date.now(),
      consumed: 0,
      inFlight: 0,
      committed: 0,
      deadLettered: 0,
      stages: {},
      written: {},
    };
  }

  /** Topics this run reads and writes, with partitions (created by `start`). */
  topicSpecs(): TopicSpec[] {
    return this.topology.topicSpecs;
  }

  /** Creates topics, initialises stages (state rebuild) and joins the group. */
  async start(): Promise<void> {
    const { spec, plugins, configs } = this.options.pipeline;
    const { transport } = this.options;
    await transport.createTopics(this.topology.topicSpecs);
    const dataDir = resolve(this.options.dataDir ?? '.tane');

    for (const stageId of this.topology.stages) {
      const stageSpec = spec.stages[stageId]!;
      const loaded = plugins[stageId]!;
      const pluginRef = `${loaded.definition.name}@${loaded.definition.version}`;
      const setup: StageSetupContext = {
        stage: stageId,
        plugin: pluginRef,
        pipeline: spec.name,
        runId: this.topology.runId,
        logger: this.logger.child({ stage: stageId }),
        baseDir: spec.baseDir,
        dataDir,
        signal: this.shutdown.signal,
        topic: (logical) => this.topology.physical(logical),
        readTopic: (logical, o = {}) => this.readTopic(logical, o),
      };
      const impl = await loaded.definition.create(configs[stageId] ?? {}, setup);
      const running: RunningStage = {
        spec: stageSpec,
        pluginRef,
        impl,
        input: new Subject<Work>(),
        concurrency: stageSpec.concurrency ?? (impl.kind === 'handler' ? (impl.concurrency ?? 16) : 1),
        timeoutMs: stageSpec.timeoutMs ?? spec.limits.defaultTimeoutMs,
        retries: stageSpec.retries ?? 0,
      };
      this.stages.set(stageId, running);
      this.stats.stages[stageId] = { in: 0, done: 0, failed: 0, inFlight: 0, routes: {} };
    }
    for (const running of this.stages.values()) {
      this.logger.debug('initialising stage', { stage: running.spec.id, plugin: running.pluginRef });
      await running.impl.init?.();
      this.wire(running);
    }

    this.writer = new OutputWriter(await transport.producer(), {
      batchSize: 1000,
      maxRetries: 8,
      logger: this.logger,
      onFatal: (err) => this.fail(err),
    });
    const consumer = await transport.consumer({
      group: this.group,
      topics: this.topology.inputs.map((i) => i.physical),
      start: 'earliest',
      ...(this.options.clientId ? { clientId: this.options.clientId } : {}),
    });
    this.consumer = consumer;
    this.transactional = typeof consumer.commitWithOutputs === 'function';
    this.logger.debug('delivery', {
      mode: this.transactional ? 'exactly-once output (transactional commit)' : 'at-least-once',
    });
    await consumer.start({
      onMessage: (m) => this.onMessage(m),
      onAssigned: (tps) => {
        for (const tp of tps) this.partitionState(tp).owned = true;
        this.logger.info('partitions assigned', { partitions: tps.map((t) => `${t.topic}/${t.partition}`) });
      },
      onRevoked: (tps) => this.onRevoked(tps),
      onError: (err) => this.fail(err),
    });
    this.commitTimer = setInterval(() => void this.commit().catch(() => {}), spec.limits.commitIntervalMs);
    this.commitTimer.unref();
  }

  /** Rejects when the run fails for good (transport lost, output cannot be written). */
  failed(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.fatalError) reject(this.fatalError);
      else this.fatalListeners.push(reject);
    });
  }

  /**
   * Resolves when every partition of every input topic is consumed and committed
   * to its end and nothing is in flight — across all members of the group —
   * for `quietMs` in a row. For batch-style runs (`tane run --until-idle`).
   */
  async waitUntilIdle(
    options: { quietMs?: number; pollMs?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    const quietMs = options.quietMs ?? 1500;
    const pollMs = options.pollMs ?? 250;
    let idleSince: number | undefined;
    let lastConsumed = -1;
    for (;;) {
      if (this.fatalError) throw this.fatalError;
      if (options.signal?.aborted || this.stopping) return;
      await sleep(pollMs);
      const quiet = this.inFlightTotal === 0 && (this.writer?.size ?? 0) === 0;
      if (!quiet) {
        idleSince = undefined;
        continue;
      }
      if (lastConsumed !== this.stats.consumed) {
        lastConsumed = this.stats.consumed;
        idleSince = undefined;
      }
      await this.commit();
      if (!(await this.allInputsCommitted())) {
        idleSince = undefined;
        continue;
      }
      idleSince ??= Date.now();
      if (Date.now() - idleSince >= quietMs) {
        await this.flushStages();
        if (this.inFlightTotal === 0 && (this.writer?.size ?? 0) === 0 && (await this.allInputsCommitted()))
          return;
        idleSince = undefined;
      }
    }
  }

  /**
   * Stops consuming, lets in-flight records finish (up to the drain timeout),
   * flushes stages, commits what is done and leaves the group.
   */
  stop(): Promise<void> {
    this.stoppedPromise ??= this.doStop();
    return this.stoppedPromise;
  }

  private async doStop(): Promise<void> {
    this.stopping = true;
    const { drainTimeoutMs } = this.options.pipeline.spec.limits;
    const deadline = Date.now() + drainTimeoutMs;
    this.logger.info('draining', { inFlight: this.inFlightTotal });
    let lastFlush = 0;
    while (this.inFlightTotal > 0 && Date.now() < deadline && !this.fatalError) {
      if (Date.now() - lastFlush > 1000) {
        lastFlush = Date.now();
        void this.flushStages().catch(() => {});
      }
      await sleep(50);
    }
    if (this.inFlightTotal > 0) {
      this.logger.warn('drain timed out; unfinished records will be processed again after restart', {
        inFlight: this.inFlightTotal,
      });
    }
    if (!this.fatalError) {
      await this.flushStages().catch((err) =>
        this.logger.error('flush failed', { error: redactSecrets(String(err)) }),
      );
      await this.writer?.drain();
      await this.commit().catch((err) =>
        this.logger.error('final commit failed', { error: redactSecrets(String(err)) }),
      );
    }
    if (this.commitTimer) clearInterval(this.commitTimer);
    this.shutdown.abort();
    await this.consumer?.stop().catch(() => {});
    for (const s of this.stages.values()) {
      s.input.complete();
      await s.impl
        .close?.()
        ?.catch((err: unknown) =>
          this.logger.error('stage close failed', { stage: s.spec.id, error: String(err) }),
        );
    }
    await this.writer?.close().catch(() => {});
    this.releaseStopped();
    this.logger.info('stopped', { consumed: this.stats.consumed, committed: this.stats.committed });
  }

  // ----- consumption ---------------------------------------------------------

  private partitionState(tp: TopicPartition): PartitionState {
    const key = keyOf(tp);
    let ps = this.partitions.get(key);
    if (!ps) {
      ps = {
        tp,
        watermark: new PartitionWatermark(),
        inFlight: 0,
        ready: new Map(),
        waiters: [],
        lastCommitted: undefined,
        committedCount: 0,
        owned: true,
      };
      this.partitions.set(key, ps);
    }
    return ps;
  }

  private async onMessage(m: ConsumedMessage): Promise<void> {
    if (this.stopping || this.fatalError) {
      // Never resolves: the transport stops delivering; the offset stays uncommitted.
      await this.gate;
      return;
    }
    const ps = this.partitionState({ topic: m.topic, partition: m.partition });
    const cap = this.options.pipeline.spec.limits.maxInFlightPerPartition;
    // The cap counts offsets delivered and not yet committed, so neither a slow record at the
    // head of a partition nor a commit falling behind lets work (or held outputs) pile up.
    if (this.uncommitted(ps) >= cap) void this.commit().catch(() => {});
    while (this.uncommitted(ps) >= cap && !this.stopping) {
      await new Promise<void>((r) => ps.waiters.push(r));
    }
    // Records often finish within microtasks; yield now and then so timers (commits, progress,
    // heartbeats) keep running however fast the source delivers.
    if (++this.sinceYield >= 256) {
      this.sinceYield = 0;
      await new Promise<void>((r) => setImmediate(r));
    }
    if (this.stopping) {
      await this.gate;
      return;
    }
    ps.inFlight++;
    this.inFlightTotal++;
    this.stats.inFlight = this.inFlightTotal;
    this.stats.consumed++;
    ps.watermark.track(m.offset);
    this.options.hooks?.onEvent?.({
      type: 'consumed',
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
    });
    const token: Token = { ps, offset: m.offset, pending: 1 };
    const input = this.topology.inputs.find((i) => i.physical === m.topic);
    const where = `${m.topic}/${m.partition}@${m.offset}`;
    let record: TaneRecord;
    try {
      record = parseRecord(m.value, where);
    } catch (err) {
      this.deadLetterRaw(m, toTaneError(err, 'RECORD_INVALID'), token, input?.stage ?? 'source');
      this.release(token);
      return;
    }
    if (!input) {
      this.release(token);
      return;
    }
    this.dispatch(input.stage, record, token);
    this.release(token);
  }

  private async onRevoked(tps: TopicPartition[]): Promise<void> {
    // Let the revoked partitions' in-flight records finish (bounded), and commit them while we
    // still own the partitions, so the next owner does not repeat their work; then let go.
    const states = this.statesOf(tps);
    const deadline = Date.now() + this.options.pipeline.spec.limits.drainTimeoutMs;
    while (states.some((ps) => ps.inFlight > 0) && Date.now() < deadline && !this.fatalError) await sleep(20);
    await this.commit(tps).catch(() => {});
    for (const tp of tps) {
      const key = keyOf(tp);
      const ps = this.partitions.get(key);
      if (!ps) continue;
      ps.owned = false;
      this.partitions.delete(key);
      for (const w of ps.waiters.splice(0)) w();
    }
    this.logger.info('partitions revoked', { partitions: tps.map((t) => `${t.topic}/${t.partition}`) });
  }

  private release(token: Token): void {
    token.pending--;
    if (token.pending > 0) return;
    const { ps } = token;
    if (this.transactional && token.outputs && token.outputs.length > 0)
      ps.ready.set(token.offset, token.outputs);
    ps.watermark.complete(token.offset);
    ps.inFlight--;
    this.inFlightTotal--;
    this.stats.inFlight = this.inFlightTotal;
    this.wake(ps);
  }

  private uncommitted(ps: PartitionState): number {
    return ps.watermark.delivered - ps.committedCount;
  }

  private wake(ps: PartitionState): void {
    const cap = this.options.pipeline.spec.limits.maxInFlightPerPartition;
    while (ps.waiters.length > 0 && this.uncommitted(ps) < cap) ps.waiters.shift()!();
  }

  /** Commits done offsets (and, in transactional mode, their outputs); one commit at a time. */
  private commit(only?: TopicPartition[]): Promise<void> {
    const next = this.commitChain.then(() => this.commitNow(only));
    this.commitChain = next.catch(() => {});
    return next;
  }

  /** The state of the given partitions (those still tracked), or of every partition. */
  private statesOf(only?: TopicPartition[]): PartitionState[] {
    return only ? only.flatMap((tp) => this.partitions.get(keyOf(tp)) ?? []) : [...this.partitions.values()];
  }

  private async commitNow(only?: TopicPartition[]): Promise<void> {
    if (!this.consumer) return;
    if (this.transactional) return this.commitTransactional(only);
    const offsets: Array<TopicPartition & { offset: number }> = [];
    const doneCounts = new Map<PartitionState, number>();
    const states = this.statesOf(only);
    for (const ps of states) {
      const next = ps.watermark.committable();
      if (ps.owned && next !== undefined && next !== ps.lastCommitted) {
        offsets.push({ ...ps.tp, offset: next });
        doneCounts.set(ps, ps.watermark.doneCount);
      }
    }
    if (offsets.length === 0) return;
    await this.consumer.commit(offsets);
    for (const [ps, count] of doneCounts) {
      ps.committedCount = count;
      this.wake(ps);
    }
    for (const o of offsets) {
      const ps = this.partitions.get(keyOf(o));
      if (ps) ps.lastCommitted = o.offset;
      this.stats.committed++;
      this.options.hooks?.onEvent?.({
        type: 'committed',
        topic: o.topic,
        partition: o.partition,
        offset: o.offset,
      });
    }
  }

  private async commitTransactional(only?: TopicPartition[]): Promise<void> {
    const consumer = this.consumer!;
    const states = this.statesOf(only);
    const offsets: Array<TopicPartition & { offset: number }> = [];
    const messages: OutgoingMessage[] = [];
    const taken: { ps: PartitionState; offsets: number[]; next: number; doneCount: number }[] = [];
    for (const ps of states) {
      const next = ps.watermark.committable();
      if (!ps.owned || next === undefined || next === ps.lastCommitted) continue;
      const done = [...ps.ready.keys()].filter((o) => o < next).sort((a, b) => a - b);
      for (const o of done) messages.push(...ps.ready.get(o)!);
      offsets.push({ ...ps.tp, offset: next });
      taken.push({ ps, offsets: done, next, doneCount: ps.watermark.doneCount });
    }
    if (offsets.length === 0) return;
    try {
      await consumer.commitWithOutputs!(messages, offsets);
    } catch (err) {
      if (err instanceof TaneError && err.code === 'GROUP_LOCKED') {
        // Some partitions moved to another member: forget them (their new owner redoes the work), keep the rest.
        const owned = new Set(consumer.assignment().map((tp) => keyOf(tp)));
        for (const { ps } of taken) {
          const key = keyOf(ps.tp);
          if (!owned.has(key)) {
            ps.owned = false;
            this.partitions.delete(key);
          }
        }
        this.logger.warn(
          'partitions were taken over before their commit; their new owner repeats that work',
          {
            error: err.message,
          },
        );
        return;
      }
      throw err;
    }
    for (const t of taken) {
      for (const o of t.offsets) t.ps.ready.delete(o);
      t.ps.lastCommitted = t.next;
      t.ps.committedCount = t.doneCount;
      this.wake(t.ps);
      this.stats.committed++;
      this.options.hooks?.onEvent?.({
        type: 'committed',
        topic: t.ps.tp.topic,
        partition: t.ps.tp.partition,
        offset: t.next,
      });
    }
    for (const m of messages) this.noteWritten(m.topic, m.value);
  }

  private noteWritten(physical: string, record: TaneRecord): void {
    const logical = this.topology.logical(physical);
    this.stats.written[logical] = (this.stats.written[logical] ?? 0) + 1;
    this.options.hooks?.onEvent?.({
      type: 'written',
      topic: logical,
      category: record.category,
      recordType: record.type,
    });
  }

  private async allInputsCommitted(): Promise<boolean> {
    const { transport } = this.options;
    for (const input of this.topology.inputs) {
      const [ends, committed] = await Promise.all([
        transport.offsets(input.physical),
        transport.committedOffsets(this.group, input.physical),
      ]);
      for (const end of ends) {
        if (end.high <= end.low) continue;
        const c = committed.find((x) => x.partition === end.partition)?.offset ?? end.low;
        if (c < end.high) return false;
      }
    }
    return true;
  }

  private async flushStages(): Promise<void> {
    for (const s of this.stages.values()) await s.impl.flush?.();
  }

  private fail(err: Error): void {
    if (this.fatalError) return;
    this.fatalError = err;
    this.logger.error('run failed', { error: redactSecrets(err.message) });
    for (const l of this.fatalListeners.splice(0)) l(err);
    void this.stop();
  }

  // ----- stages and routes -----------------------------------------------------

  private dispatch(stageId: string, record: TaneRecord, token: Token): void {
    const stage = this.stages.get(stageId)!;
    const visits = { ...((record.meta.visits as Record<string, number> | undefined) ?? {}) };
    visits[stageId] = (visits[stageId] ?? 0) + 1;
    const limit = stage.spec.maxVisits;
    if (limit !== undefined && visits[stageId]! > limit) {
      this.deadLetter(
        stageId,
        record,
        new TaneError('CYCLE_LIMIT', `record entered stage '${stageId}' more than maxVisits=${limit} times`, {
          where: `stage ${stageId}`,
          hint: 'raise maxVisits or route the record out of the cycle (e.g. the repairer give_up route)',
        }),
        0,
        token,
      );
      return;
    }
    token.pending++;
    this.stats.stages[stageId]!.in++;
    this.stats.stages[stageId]!.inFlight++;
    stage.input.next({ record: { ...record, meta: { ...record.meta, visits } }, token });
  }

  private wire(stage: RunningStage): void {
    const { impl } = stage;
    if (impl.kind === 'handler') {
      stage.subscription = stage.input
        .pipe(mergeMap((work) => this.runHandler(stage, work), stage.concurrency))
        .subscribe({ error: (err: unknown) => this.fail(toTaneError(err)) });
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
            signal: this.shutdown.signal,
            attempt: 1,
            logger: this.logger.child({ stage: stage.spec.id }),
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
          this.logger.error('operator stage answered an input it was not given, or answered twice', {
            stage: stage.spec.id,
          });
          return;
        }
        works.delete(out.input);
        if (out.error !== undefined) this.settle(stage, work, undefined, out.error, 1, 0);
        else this.settle(stage, work, out.emissions, undefined, 1, 0);
      },
      error: (err: unknown) => this.fail(toTaneError(err)),
    });
  }

  private async runHandler(stage: RunningStage, work: Work): Promise<void> {
    if (stage.impl.kind !== 'handler') return;
    const handler = stage.impl;
    const started = Date.now();
    let lastError: unknown;
    let attempt = 0;
    for (attempt = 1; attempt <= stage.retries + 1; attempt++) {
      const abort = new AbortController();
      const onShutdown = () => abort.abort(new TaneError('STAGE_ERROR', 'worker shutting down'));
      this.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
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
        logger: this.logger.child({ stage: stage.spec.id, record: work.record.id }),
      });
      const call = async (): Promise<Emission[]> => {
        const result = await handler.handle(work.record, ctx);
        return result === undefined ? [] : Array.isArray(result) ? result : [result];
      };
      const hook = this.options.hooks?.aroundStage;
      try {
        const run = hook
          ? () => hook({ stage: stage.spec.id, plugin: stage.pluginRef, record: work.record }, call)
          : call;
        const emissions = await Promise.race([run(), timedOut]);
        this.settle(stage, work, emissions, undefined, attempt, Date.now() - started);
        return;
      } catch (err) {
        lastError = err;
        const retryable = !(err instanceof TaneError) || err.retryable;
        if (!retryable || attempt > stage.retries || this.stopping) break;
        await sleep(Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
      } finally {
        clearTimeout(timer);
        this.shutdown.signal.removeEventListener('abort', onShutdown);
      }
    }
    this.settle(
      stage,
      work,
      undefined,
      lastError,
      Math.min(attempt, stage.retries + 1),
      Date.now() - started,
    );
  }

  private settle(
    stage: RunningStage,
    work: Work,
    emissions: Emission[] | undefined,
    error: unknown,
    attempts: number,
    durationMs: number,
  ): void {
    const stageStats = this.stats.stages[stage.spec.id]!;
    stageStats.inFlight--;
    const { record, token } = work;
    if (emissions) {
      // Check every emission before routing any, so a bad one dead-letters the input as a whole.
      try {
        for (const e of emissions) {
          if (!stage.spec.routes[e.route]) {
            throw new TaneError(
              'ROUTE_UNKNOWN',
              `plugin ${stage.pluginRef} emitted on route '${e.route}', which is not connected`,
              {
                where: `stage ${stage.spec.id}`,
                hint: `connect '${e.route}' under stages.${stage.spec.id}.routes, or fix the plugin`,
              },
            );
          }
          validateRecord(e.record, `stage ${stage.spec.id} route ${e.route}`);
        }
      } catch (err) {
        error = err;
        emissions = undefined;
      }
    }
    if (!emissions) {
      stageStats.failed++;
      const code = toTaneError(error).code;
      this.options.hooks?.onEvent?.({
        type: 'stage',
        stage: stage.spec.id,
        category: record.category,
        durationMs,
        routes: [],
        error: code,
      });
      this.deadLetter(stage.spec.id, record, error, attempts, token);
      this.release(token);
      return;
    }
    stageStats.done++;
    this.options.hooks?.onEvent?.({
      type: 'stage',
      stage: stage.spec.id,
      category: record.category,
      durationMs,
      routes: emissions.map((e) => e.route),
    });
    for (const e of emissions) {
      stageStats.routes[e.route] = (stageStats.routes[e.route] ?? 0) + 1;
      const out: TaneRecord = {
        ...e.record,
        lineage: [...e.record.lineage, { plugin: stage.pluginRef, stage: stage.spec.id }],
      };
      const target = stage.spec.routes[e.route]!;
      if (target.kind === 'drop') {
        this.options.hooks?.onEvent?.({
          type: 'dropped',
          stage: stage.spec.id,
          category: out.category,
          route: e.route,
        });
      } else if (target.kind === 'stage') {
        this.dispatch(target.stage, out, token);
      } else {
        this.writeTopic(target.topic, out, token);
      }
    }
    this.release(token);
  }

  private writeTopic(logical: string, record: TaneRecord, token: Token, key: string = record.category): void {
    const topic = this.topology.physical(logical);
    if (this.transactional) {
      (token.outputs ??= []).push({ topic, key, value: record });
      return;
    }
    token.pending++;
    this.writer!.write({ topic, key, value: record }, () => {
      this.noteWritten(topic, record);
      this.release(token);
    });
  }

  private deadLetter(
    stage: string,
    record: TaneRecord,
    error: unknown,
    attempts: number,
    token: Token,
    source?: ConsumedMessage,
  ): void {
    const err = toTaneError(error);
    // The stage's earlier attempts, plus what its last attempt really tried (an LLM client's own retries).
    const tried = attempts === 0 ? 0 : attempts - 1 + Math.max(1, err.attempts ?? 1);
    this.stats.deadLettered++;
    this.options.hooks?.onEvent?.({
      type: 'dead-lettered',
      stage,
      category: record.category,
      code: err.code,
    });
    this.logger.warn('record dead-lettered', {
      stage,
      record: record.id,
      code: err.code,
      error: redactSecrets(err.message),
      ...(err.hint ? { hint: redactSecrets(err.hint) } : {}),
      attempts: tried,
    });
    if (record.type === 'dlq') {
      // A dead-letter record that fails again is not written back: that would loop forever.
      this.logger.error('a stage failed on a dead-letter record; it is left on the dlq topic', {
        stage,
        record: record.id,
      });
      return;
    }
    const safeRecord = redactValue(record);
    const dlq: TaneRecord = {
      id: deriveId(record.id, `dlq:${stage}`, 0),
      type: 'dlq',
      category: record.category,
      data: {
        stage,
        error: {
          code: err.code,
          message: redactSecrets(err.message),
          ...(err.where ? { where: redactSecrets(err.where) } : {}),
          ...(err.hint ? { hint: redactSecrets(err.hint) } : {}),
        },
        attempts: tried,
        record: safeRecord,
        source: source
          ? { topic: source.topic, partition: source.partition, offset: source.offset }
          : { topic: token.ps.tp.topic, partition: token.ps.tp.partition, offset: token.offset },
      },
      meta: {},
      lineage: [...record.lineage, { plugin: ENGINE_LINEAGE, stage }],
      headers: { ...record.headers },
    };
    this.writeTopic('dlq', dlq, token, record.category);
  }

  private deadLetterRaw(m: ConsumedMessage, err: TaneError, token: Token, stage: string): void {
    this.stats.deadLettered++;
    this.options.hooks?.onEvent?.({ type: 'dead-lettered', stage, category: 'unknown', code: err.code });
    this.logger.warn('invalid record dead-lettered', {
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      code: err.code,
      error: redactSecrets(err.message),
      ...(err.hint ? { hint: redactSecrets(err.hint) } : {}),
    });
    const category = (() => {
      try {
        const v = JSON.parse(m.value) as { category?: unknown };
        return typeof v.category === 'string' && v.category ? v.category : 'unknown';
      } catch {
        return 'unknown';
      }
    })();
    const dlq: TaneRecord = {
      id: contentId('dlq', m.topic, m.partition, m.offset),
      type: 'dlq',
      category,
      data: {
        stage,
        error: {
          code: err.code,
          message: redactSecrets(err.message),
          ...(err.where ? { where: redactSecrets(err.where) } : {}),
          ...(err.hint ? { hint: redactSecrets(err.hint) } : {}),
        },
        attempts: 1,
        raw: redactSecrets(m.value.length > 65_536 ? `${m.value.slice(0, 65_536)}…` : m.value),
        source: { topic: m.topic, partition: m.partition, offset: m.offset },
      },
      meta: {},
      lineage: [{ plugin: ENGINE_LINEAGE, stage }],
      headers: {},
    };
    this.writeTopic('dlq', dlq, token, m.key ?? category);
  }

  private async *readTopic(
    logical: string,
    options: { follow?: boolean; signal?: AbortSignal },
  ): AsyncIterable<TaneRecord> {
    const topic = this.topology.physical(logical);
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.shutdown.signal])
      : this.shutdown.signal;
    const existing = await this.options.transport.listTopics();
    if (!existing.some((t) => t.name === topic)) {
      await this.options.transport.createTopics([
        { name: topic, partitions: this.options.pipeline.spec.topics.partitions },
      ]);
    }
    for await (const m of this.options.transport.read(topic, { follow: options.follow ?? false, signal })) {
      try {
        yield parseRecord(m.value);
      } catch {
        // Not a record: the stage rebuilding state skips it (the engine dead-letters such messages where it consumes them).
      }
    }
  }
}
