import { setMaxListeners } from 'node:events';
import { resolve } from 'node:path';
import { Subject } from 'rxjs';
import { toTaneError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { Emission, SourcePartition, StageSetupContext } from '../plugin.ts';
import { parseRecord, type TaneRecord } from '../record.ts';
import { redactSecrets } from '../redact.ts';
import type { ConsumedMessage, GroupConsumer, TopicPartition, TopicSpec, Transport } from '../transport.ts';
import { AtLeastOnceCommit, type CommitStrategy, TransactionalCommit } from './commit-strategy.ts';
import { createEngineStats, type EngineEvent, type EngineStats } from './engine-stats.ts';
import { groupCaughtUp } from './group-progress.ts';
import { OrderedGate } from './ordered-gate.ts';
import {
  commitSlice,
  keyOf,
  type PartitionState,
  PartitionTracker,
  type Token,
} from './partition-tracker.ts';
import { Router } from './router.ts';
import { type RunningStage, wireStage } from './stage-runner.ts';
import { readStageTopic } from './topic-reader.ts';
import { type PipelineTopology, planTopology } from './topology.ts';
import type { LoadedPipeline } from './validate-pipeline.ts';

export { ENGINE_LINEAGE } from './dead-letter.ts';
export type { EngineEvent, EngineStats } from './engine-stats.ts';

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
  /**
   * Write outputs, then commit, even when the transport can commit both in one
   * transaction (for comparisons and tests). Default false.
   */
  atLeastOnce?: boolean;
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The stream engine: consumes the pipeline's input topics as one consumer
 * group member, runs records through the stages, and commits a source offset
 * only when every record derived from it is terminal (bound for a topic,
 * dropped, or dead-lettered). Outputs are held with their source offset and
 * written in source-offset order with its commit — atomically where the
 * transport can ({@link TransactionalCommit}), else just before it
 * ({@link AtLeastOnceCommit}) — so a topic's content never depends on which
 * concurrent call finished first.
 *
 * The jobs live in files named after them: `partition-tracker.ts` (offsets in
 * flight, the cap, held outputs), `commit-strategy.ts`, `stage-runner.ts`
 * (handler and operator stages), `router.ts` (routes and dead letters),
 * `ordered-gate.ts` (source order for ordered stages), `group-progress.ts`
 * (idle detection), `engine-stats.ts`.
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
  readonly stats: EngineStats = createEngineStats();
  private readonly logger: Logger;
  private readonly stages = new Map<string, RunningStage>();
  private readonly tracker: PartitionTracker;
  private readonly gate: OrderedGate;
  private readonly router: Router;
  private consumer: GroupConsumer | undefined;
  private strategy: CommitStrategy | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private readonly shutdown = new AbortController();
  private stopping = false;
  private stoppedPromise: Promise<void> | undefined;
  private releaseStopped!: () => void;
  private readonly parkedForever = new Promise<void>((r) => {
    this.releaseStopped = r;
  });
  private fatalError: Error | undefined;
  private fatalListeners: ((err: Error) => void)[] = [];
  private sinceYield = 0;
  private commitChain: Promise<void> = Promise.resolve();
  private lastCommitWarning = 0;

  constructor(private readonly options: EngineOptions) {
    const { spec } = options.pipeline;
    this.topology = planTopology(spec, options.replay);
    this.group = options.group ?? this.topology.defaultGroup;
    // Plugins may listen for shutdown (records go through one listener per stage runner).
    setMaxListeners(0, this.shutdown.signal);
    this.logger = (options.logger ?? silentLogger).child({ pipeline: spec.name, group: this.group });
    const caps = new Map(
      Object.entries(spec.inputLimits ?? {}).map(([logical, cap]) => [this.topology.physical(logical), cap]),
    );
    this.tracker = new PartitionTracker(
      (topic) => caps.get(topic) ?? spec.limits.maxInFlightPerPartition,
      (token) => this.onDone(token),
    );
    this.gate = new OrderedGate((stage, work) => this.router.enter(stage, work));
    this.router = new Router({
      stages: this.stages,
      tracker: this.tracker,
      gate: this.gate,
      stats: this.stats,
      logger: this.logger,
      physical: (logical) => this.topology.physical(logical),
      emit: (event) => this.emit(event),
    });
  }

  /** True when outputs and offsets are committed in one transaction (exactly-once output). */
  get transactional(): boolean {
    return this.strategy?.mode === 'exactly-once';
  }

  /** How outputs reach topics, for the start line. */
  get delivery(): string {
    return this.strategy?.description ?? 'not started';
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
        readTopic: (logical, o = {}) =>
          readStageTopic(transport, this.topology.physical(logical), {
            follow: o.follow ?? false,
            signal: o.signal ? AbortSignal.any([o.signal, this.shutdown.signal]) : this.shutdown.signal,
            partitions: spec.topics.partitions,
            ...(o.resume ? { resume: o.resume } : {}),
          }),
      };
      const impl = await loaded.definition.create(configs[stageId] ?? {}, setup);
      this.stages.set(stageId, {
        spec: stageSpec,
        pluginRef,
        impl,
        input: new Subject(),
        concurrency: stageSpec.concurrency ?? (impl.kind === 'handler' ? (impl.concurrency ?? 16) : 1),
        timeoutMs: stageSpec.timeoutMs ?? spec.limits.defaultTimeoutMs,
        retries: stageSpec.retries ?? 0,
        ordered: impl.ordered === true,
      });
      this.stats.stages[stageId] = { in: 0, done: 0, failed: 0, inFlight: 0, routes: {} };
    }
    const host = {
      shutdown: this.shutdown.signal,
      logger: this.logger,
      isStopping: () => this.stopping,
      ...(this.options.hooks?.aroundStage ? { aroundStage: this.options.hooks.aroundStage } : {}),
      settle: this.router.settle,
      fail: (err: Error) => this.fail(err),
    };
    for (const running of this.stages.values()) {
      this.logger.debug('initialising stage', { stage: running.spec.id, plugin: running.pluginRef });
      await running.impl.init?.();
      wireStage(running, host);
    }

    const consumer = await transport.consumer({
      group: this.group,
      topics: this.topology.inputs.map((i) => i.physical),
      start: 'earliest',
      ...(this.options.clientId ? { clientId: this.options.clientId } : {}),
    });
    this.consumer = consumer;
    this.strategy =
      typeof consumer.commitWithOutputs === 'function' && !this.options.atLeastOnce
        ? new TransactionalCommit(consumer)
        : new AtLeastOnceCommit(consumer, await transport.producer(), {
            logger: this.logger,
            maxRetries: 8,
            batchSize: 1000,
            onFatal: (err) => this.fail(err),
          });
    this.logger.debug('delivery', { mode: this.strategy.description });
    await consumer.start({
      onMessage: (m) => this.onMessage(m),
      onAssigned: (tps) => this.onAssigned(tps),
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
    const caughtUp = () =>
      groupCaughtUp(
        this.options.transport,
        this.group,
        this.topology.inputs.map((i) => i.physical),
      );
    for (;;) {
      if (this.fatalError) throw this.fatalError;
      if (options.signal?.aborted || this.stopping) return;
      await sleep(pollMs);
      if (this.tracker.inFlight > 0) {
        idleSince = undefined;
        continue;
      }
      if (lastConsumed !== this.stats.consumed) {
        lastConsumed = this.stats.consumed;
        idleSince = undefined;
      }
      await this.commit().catch(() => {});
      if (!(await caughtUp())) {
        idleSince = undefined;
        continue;
      }
      idleSince ??= Date.now();
      if (Date.now() - idleSince >= quietMs) {
        await this.flushStages();
        await this.commit().catch(() => {});
        if (this.tracker.inFlight === 0 && (await caughtUp())) return;
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
    this.tracker.wakeAll();
    const { drainTimeoutMs } = this.options.pipeline.spec.limits;
    const deadline = Date.now() + drainTimeoutMs;
    this.logger.info('draining', { inFlight: this.tracker.inFlight });
    let lastFlush = 0;
    while (this.tracker.inFlight > 0 && Date.now() < deadline && !this.fatalError) {
      if (Date.now() - lastFlush > 1000) {
        lastFlush = Date.now();
        void this.flushStages().catch(() => {});
      }
      await sleep(50);
    }
    if (this.tracker.inFlight > 0) {
      this.logger.warn('drain timed out; unfinished records will be processed again after restart', {
        inFlight: this.tracker.inFlight,
      });
    }
    if (!this.fatalError) {
      await this.flushStages().catch((err) =>
        this.logger.error('flush failed', { error: redactSecrets(String(err)) }),
      );
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
    await this.strategy?.close().catch(() => {});
    this.releaseStopped();
    this.logger.info('stopped', { consumed: this.stats.consumed, committed: this.stats.committed });
  }

  // ----- consumption ---------------------------------------------------------

  private async onMessage(m: ConsumedMessage): Promise<void> {
    if (this.stopping || this.fatalError) {
      // Never resolves: the transport stops delivering; the offset stays uncommitted.
      await this.parkedForever;
      return;
    }
    const ps = this.tracker.state({ topic: m.topic, partition: m.partition });
    // The cap counts offsets delivered and not yet committed, so neither a slow record at the
    // head of a partition nor a commit falling behind lets work (or held outputs) pile up.
    if (this.tracker.isFull(ps)) void this.commit().catch(() => {});
    await this.tracker.waitForRoom(ps, () => this.stopping);
    // Records often finish within microtasks; yield now and then so timers (commits, progress,
    // heartbeats) keep running however fast the source delivers.
    if (++this.sinceYield >= 256) {
      this.sinceYield = 0;
      await new Promise<void>((r) => setImmediate(r));
    }
    if (this.stopping || !ps.owned) {
      if (this.stopping) await this.parkedForever;
      return;
    }
    const token = this.tracker.track(ps, m.offset);
    if (m.control) {
      // A transaction marker: nothing to process, but the committed offset may move past it.
      this.router.release(token);
      return;
    }
    this.stats.consumed++;
    this.stats.inFlight = this.tracker.inFlight;
    this.emit({ type: 'consumed', topic: m.topic, partition: m.partition, offset: m.offset });
    const input = this.topology.inputs.find((i) => i.physical === m.topic);
    const where = `${m.topic}/${m.partition}@${m.offset}`;
    let record: TaneRecord;
    try {
      record = parseRecord(m.value, where);
    } catch (err) {
      this.router.deadLetterRaw(m, err, token, input?.stage ?? 'source');
      this.router.release(token);
      return;
    }
    if (input) this.router.dispatch(input.stage, record, token);
    this.router.release(token);
  }

  private onDone(token: Token): void {
    this.stats.inFlight = this.tracker.inFlight;
    this.gate.pump(token.ps);
  }

  private async onAssigned(tps: TopicPartition[]): Promise<void> {
    for (const tp of tps) this.tracker.state(tp).owned = true;
    this.logger.info('partitions assigned', { partitions: tps.map((t) => `${t.topic}/${t.partition}`) });
    if (tps.length === 0) return;
    const sources: SourcePartition[] = tps.map((tp) => ({
      topic: this.topology.logical(tp.topic),
      partition: tp.partition,
    }));
    for (const s of this.stages.values()) {
      try {
        await s.impl.onPartitionsAssigned?.(sources);
      } catch (err) {
        this.fail(toTaneError(err, 'STAGE_ERROR'));
      }
    }
  }

  private async onRevoked(tps: TopicPartition[]): Promise<void> {
    // Let the revoked partitions' in-flight records finish (bounded), and commit them while we
    // still own the partitions, so the next owner does not repeat their work; then let go.
    const states = this.tracker.statesOf(tps);
    const deadline = Date.now() + this.options.pipeline.spec.limits.drainTimeoutMs;
    while (states.some((ps) => ps.live.size > 0) && Date.now() < deadline && !this.fatalError)
      await sleep(20);
    await this.commit(tps).catch(() => {});
    for (const ps of states) this.forget(ps);
    this.logger.info('partitions revoked', { partitions: tps.map((t) => `${t.topic}/${t.partition}`) });
  }

  /** Stops tracking a partition this member lost; its unfinished work is the next owner's. */
  private forget(ps: PartitionState): void {
    this.tracker.forget(ps.tp);
    for (const work of this.gate.drop(ps)) this.router.release(work.token);
  }

  /** Commits done offsets and the outputs they hold; one commit at a time. */
  private commit(only?: TopicPartition[]): Promise<void> {
    const next = this.commitChain.then(() => this.commitNow(only));
    this.commitChain = next.catch(() => {});
    return next;
  }

  private async commitNow(only?: TopicPartition[]): Promise<void> {
    if (!this.consumer || !this.strategy) return;
    const slices = this.tracker.statesOf(only).flatMap((ps) => commitSlice(ps) ?? []);
    if (slices.length === 0) return;
    let result: Awaited<ReturnType<CommitStrategy['commit']>>;
    try {
      result = await this.strategy.commit(slices);
    } catch (err) {
      this.warnCommit(err);
      throw err;
    }
    if (result.error !== undefined) this.warnCommit(result.error);
    for (const s of result.committed) {
      this.tracker.committed(s.ps, s.next, s.doneCount, s.offsets);
      this.stats.committed++;
      this.emit({ type: 'committed', topic: s.ps.tp.topic, partition: s.ps.tp.partition, offset: s.next });
      for (const m of s.messages) this.noteWritten(m.topic, m.value);
    }
    if (result.lost.length > 0) {
      // Refused but still assigned (a producer fenced by a rebalance that kept the partition here):
      // keep the work and commit it again. Gone: its new owner continues from the last commit.
      const assigned = new Set(this.consumer.assignment().map(keyOf));
      const gone = result.lost.filter((s) => !assigned.has(keyOf(s.ps.tp)));
      for (const s of gone) this.forget(s.ps);
      if (gone.length > 0) {
        this.logger.warn(
          'partitions were taken over before their commit; their new owner repeats that work',
          {
            partitions: gone.map((s) => `${s.ps.tp.topic}/${s.ps.tp.partition}`),
          },
        );
      }
      if (gone.length < result.lost.length) this.warnCommit(new Error('a commit was refused; trying again'));
    }
  }

  private warnCommit(err: unknown): void {
    if (Date.now() - this.lastCommitWarning < 5000) return;
    this.lastCommitWarning = Date.now();
    this.logger.warn('commit failed; trying again', {
      error: redactSecrets(String((err as Error)?.message ?? err)),
    });
  }

  private noteWritten(physical: string, record: TaneRecord): void {
    const logical = this.topology.logical(physical);
    this.stats.written[logical] = (this.stats.written[logical] ?? 0) + 1;
    this.emit({ type: 'written', topic: logical, category: record.category, recordType: record.type });
  }

  private emit(event: EngineEvent): void {
    this.options.hooks?.onEvent?.(event);
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
}
