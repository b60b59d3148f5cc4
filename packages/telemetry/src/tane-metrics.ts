import type { Counter, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import type { EngineEvent } from '@tane/core/engine';
import { InFlightTracker } from './in-flight-tracker.ts';
import { METRIC_NAMES as N } from './metric-names.ts';
import type { LlmTelemetryEvent } from './telemetry.ts';

const STAGE_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
const LLM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

/** The logical topic the dataset sink reads: a record written there is an accepted example. */
const ACCEPTED_TOPIC = 'dataset';
const REJECTED_TOPIC = 'rejected';
const REPAIR_ROUTE = 'repair';

/** The engine and LLM metrics of one worker, fed from events. */
export class TaneMetrics {
  private readonly inFlight = new InFlightTracker();
  private readonly lag = new Map<string, { topic: string; partition: number; lag: number }>();
  private readonly consumed: Counter;
  private readonly stageIn: Counter;
  private readonly stageOut: Counter;
  private readonly stageDuration: Histogram;
  private readonly stageInFlight: UpDownCounter;
  private readonly written: Counter;
  private readonly deadLettered: Counter;
  private readonly dropped: Counter;
  private readonly accepted: Counter;
  private readonly repairs: Counter;
  private readonly rejected: Counter;
  private readonly llmRequests: Counter;
  private readonly llmDuration: Histogram;
  private readonly llmTokens: Counter;
  private readonly llmThrottled: Counter;
  private readonly llmRetries: Counter;
  private readonly llmCacheHits: Counter;

  constructor(meter: Meter) {
    this.consumed = meter.createCounter(N.recordsConsumed, {
      description: 'Records the engine consumed from its input topics.',
    });
    this.stageIn = meter.createCounter(N.stageRecordsIn, {
      description: 'Records a stage finished with (emitted or failed), per stage and category.',
    });
    this.stageOut = meter.createCounter(N.stageRecordsOut, {
      description: 'Records a stage emitted, per stage, route and category.',
    });
    this.stageDuration = meter.createHistogram(N.stageDuration, {
      description: 'Time a stage took for one record, retries included.',
      unit: 's',
      advice: { explicitBucketBoundaries: STAGE_BUCKETS },
    });
    this.stageInFlight = meter.createUpDownCounter(N.stageInFlight, {
      description: 'Records a handler stage is working on right now.',
    });
    this.written = meter.createCounter(N.recordsWritten, {
      description: 'Records written to a topic, per logical topic and category.',
    });
    this.deadLettered = meter.createCounter(N.recordsDeadLettered, {
      description: 'Records sent to the dead-letter topic, per stage, error code and category.',
    });
    this.dropped = meter.createCounter(N.recordsDropped, {
      description: 'Records a stage emitted on a route connected to drop.',
    });
    this.accepted = meter.createCounter(N.examplesAccepted, {
      description: 'Examples written to the dataset topic, per category.',
    });
    this.repairs = meter.createCounter(N.examplesRepairs, {
      description: 'Examples sent to the repairer (emitted on a route named repair), per category.',
    });
    this.rejected = meter.createCounter(N.examplesRejected, {
      description: 'Examples written to the rejected topic (rejected, filtered or duplicate), per category.',
    });
    this.llmRequests = meter.createCounter(N.llmRequests, {
      description: 'HTTP requests sent to the model server (each attempt), per plugin, category and model.',
    });
    this.llmDuration = meter.createHistogram(N.llmRequestDuration, {
      description:
        'Latency of model server requests, per plugin, model and HTTP status (none: timeout or connection error).',
      unit: 's',
      advice: { explicitBucketBoundaries: LLM_BUCKETS },
    });
    this.llmTokens = meter.createCounter(N.llmTokens, {
      description: 'Tokens spent, per plugin, category and kind (prompt or completion).',
    });
    this.llmThrottled = meter.createCounter(N.llmThrottled, {
      description: 'Requests the model server answered with 429 (too many requests).',
    });
    this.llmRetries = meter.createCounter(N.llmRetries, {
      description: 'Requests retried after a 429, a 5xx, a timeout or a reset connection.',
    });
    this.llmCacheHits = meter.createCounter(N.llmCacheHits, {
      description: 'Calls answered from the response cache (no request sent).',
    });

    meter
      .createObservableGauge(N.recordsInFlight, {
        description: 'Source records consumed and not yet committed, per input topic.',
      })
      .addCallback((result) => {
        for (const [topic, n] of this.inFlight.byTopic()) result.observe(n, { topic });
      });
    meter
      .createObservableGauge(N.committedOffset, {
        description: 'Last committed offset (the next offset to read), per input partition.',
      })
      .addCallback((result) => {
        for (const c of this.inFlight.committedOffsets()) {
          result.observe(c.offset, { topic: c.topic, partition: String(c.partition) });
        }
      });
    meter
      .createObservableGauge(N.consumerLag, {
        description:
          'Messages not yet consumed by the group (end offset minus committed offset), per partition.',
      })
      .addCallback((result) => {
        for (const l of this.lag.values()) {
          result.observe(l.lag, { topic: l.topic, partition: String(l.partition) });
        }
      });
  }

  onEngineEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'consumed':
        this.consumed.add(1, { topic: event.topic });
        this.inFlight.consumed(event.topic, event.partition, event.offset);
        return;
      case 'committed':
        this.inFlight.committed(event.topic, event.partition, event.offset);
        return;
      case 'stage': {
        const { stage, category } = event;
        this.stageIn.add(1, { stage, category });
        this.stageDuration.record(event.durationMs / 1000, { stage });
        let repairs = 0;
        for (const route of event.routes) {
          this.stageOut.add(1, { stage, route, category });
          if (route === REPAIR_ROUTE) repairs++;
        }
        if (repairs > 0) this.repairs.add(repairs, { category });
        return;
      }
      case 'written':
        this.written.add(1, { topic: event.topic, category: event.category });
        if (event.topic === ACCEPTED_TOPIC) this.accepted.add(1, { category: event.category });
        else if (event.topic === REJECTED_TOPIC) this.rejected.add(1, { category: event.category });
        return;
      case 'dead-lettered':
        this.deadLettered.add(1, { stage: event.stage, code: event.code, category: event.category });
        return;
      case 'dropped':
        this.dropped.add(1, { stage: event.stage, route: event.route, category: event.category });
        return;
    }
  }

  stageStarted(stage: string): void {
    this.stageInFlight.add(1, { stage });
  }

  stageEnded(stage: string): void {
    this.stageInFlight.add(-1, { stage });
  }

  onLlmEvent(event: LlmTelemetryEvent): void {
    const plugin = event.plugin || 'unknown';
    const category = event.category || 'none';
    const model = event.model || 'unknown';
    switch (event.type) {
      case 'request':
        this.llmRequests.add(1, { plugin, category, model });
        return;
      case 'response': {
        if (typeof event.latencyMs === 'number' && Number.isFinite(event.latencyMs)) {
          this.llmDuration.record(event.latencyMs / 1000, {
            plugin,
            model,
            status: event.status === undefined ? 'none' : String(event.status),
          });
        }
        const prompt = event.tokens?.prompt ?? event.tokens?.promptTokens;
        const completion = event.tokens?.completion ?? event.tokens?.completionTokens;
        if (prompt) this.llmTokens.add(prompt, { plugin, category, kind: 'prompt' });
        if (completion) this.llmTokens.add(completion, { plugin, category, kind: 'completion' });
        return;
      }
      case 'throttled':
        this.llmThrottled.add(1, { plugin, category });
        return;
      case 'retry':
        this.llmRetries.add(1, { plugin, category });
        return;
      case 'cache_hit':
        this.llmCacheHits.add(1, { plugin, category });
        return;
    }
  }

  recordLag(topic: string, partition: number, lag: number): void {
    this.lag.set(`${topic}\u0000${partition}`, { topic, partition, lag });
  }
}
