import { TaneError, toTaneError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { type TaneRecord, validateRecord } from '../record.ts';
import { redactSecrets } from '../redact.ts';
import type { ConsumedMessage } from '../transport.ts';
import { attemptsTried, deadLetterRawRecord, deadLetterRecord } from './dead-letter.ts';
import type { EngineEvent, EngineStats } from './engine-stats.ts';
import type { OrderedGate } from './ordered-gate.ts';
import type { PartitionTracker, Token, Work } from './partition-tracker.ts';
import type { RunningStage, SettleStage } from './stage-runner.ts';

/** What the router needs from the engine. */
export interface RouterHost {
  readonly stages: Map<string, RunningStage>;
  readonly tracker: PartitionTracker;
  readonly gate: OrderedGate;
  readonly stats: EngineStats;
  readonly logger: Logger;
  physical(logical: string): string;
  emit(event: EngineEvent): void;
}

/**
 * Moves records between stages along the pipeline's routes: into a stage (or
 * its ordered gate), onto a topic (held with the source offset until it is
 * committed), to `drop`, or to the dead-letter topic; and adds lineage.
 */
export class Router {
  constructor(private readonly host: RouterHost) {}

  /** Sends a record into a stage, unless it has entered that stage `maxVisits` times already. */
  dispatch(stageId: string, record: TaneRecord, token: Token): void {
    const { host } = this;
    const stage = host.stages.get(stageId)!;
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
    const work: Work = { record: { ...record, meta: { ...record.meta, visits } }, token };
    if (stage.ordered) host.gate.park(stageId, work);
    else this.enter(stageId, work);
  }

  /** A record enters a stage now (the gate calls this when an ordered record's turn has come). */
  enter(stageId: string, work: Work): void {
    const stage = this.host.stages.get(stageId)!;
    this.host.stats.stages[stageId]!.in++;
    this.host.stats.stages[stageId]!.inFlight++;
    stage.input.next(work);
  }

  /** A stage call ended: route its emissions, or dead-letter the record. */
  readonly settle: SettleStage = (stage, work, emissions, error, attempts, durationMs) => {
    const { host } = this;
    const stageStats = host.stats.stages[stage.spec.id]!;
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
      host.emit({
        type: 'stage',
        stage: stage.spec.id,
        category: record.category,
        durationMs,
        routes: [],
        error: toTaneError(error).code,
      });
      this.deadLetter(stage.spec.id, record, error, attempts, token);
      this.release(token);
      return;
    }
    stageStats.done++;
    host.emit({
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
        host.emit({ type: 'dropped', stage: stage.spec.id, category: out.category, route: e.route });
      } else if (target.kind === 'stage') {
        this.dispatch(target.stage, out, token);
      } else {
        this.writeTopic(target.topic, out, token);
      }
    }
    this.release(token);
  };

  /** Ends one piece of a token's work, and lets the ordered gate look again. */
  release(token: Token): void {
    this.host.tracker.release(token);
    if (token.pending > 0 && token.parked > 0) this.host.gate.pump(token.ps);
  }

  /** Holds a record for a topic until its source offset is committed (with it, or just before it). */
  writeTopic(logical: string, record: TaneRecord, token: Token, key: string = record.category): void {
    token.outputs.push({ topic: this.host.physical(logical), key, value: record });
  }

  deadLetter(stage: string, record: TaneRecord, error: unknown, attempts: number, token: Token): void {
    const { host } = this;
    const err = toTaneError(error);
    host.stats.deadLettered++;
    host.emit({ type: 'dead-lettered', stage, category: record.category, code: err.code });
    host.logger.warn('record dead-lettered', {
      stage,
      record: record.id,
      code: err.code,
      error: redactSecrets(err.message),
      ...(err.hint ? { hint: redactSecrets(err.hint) } : {}),
      attempts: attemptsTried(err, attempts),
    });
    if (record.type === 'dlq') {
      // A dead-letter record that fails again is not written back: that would loop forever.
      host.logger.error('a stage failed on a dead-letter record; it is left on the dlq topic', {
        stage,
        record: record.id,
      });
      return;
    }
    const source = { ...token.ps.tp, offset: token.offset };
    this.writeTopic('dlq', deadLetterRecord(stage, record, err, attempts, source), token, record.category);
  }

  deadLetterRaw(m: ConsumedMessage, error: unknown, token: Token, stage: string): void {
    const { host } = this;
    const err = toTaneError(error, 'RECORD_INVALID');
    host.stats.deadLettered++;
    const dlq = deadLetterRawRecord(m, err, stage);
    host.emit({ type: 'dead-lettered', stage, category: dlq.category, code: err.code });
    host.logger.warn('invalid record dead-lettered', {
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      code: err.code,
      error: redactSecrets(err.message),
      ...(err.hint ? { hint: redactSecrets(err.hint) } : {}),
    });
    this.writeTopic('dlq', dlq, token, m.key ?? dlq.category);
  }
}
