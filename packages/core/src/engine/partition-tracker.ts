import type { TaneRecord } from '../record.ts';
import type { OutgoingMessage, TopicPartition } from '../transport.ts';
import { PartitionWatermark } from './watermark.ts';

/** The partition key used for every per-partition map in the engine. */
export const keyOf = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

/** Everything the engine tracks about one source partition this member owns. */
export interface PartitionState {
  readonly tp: TopicPartition;
  readonly watermark: PartitionWatermark;
  /** Source offsets of this partition not yet done, in delivery order. */
  readonly live: Map<number, Token>;
  /** Outputs of done offsets, held until their offset is committed (written in offset order). */
  readonly ready: Map<number, OutgoingMessage[]>;
  /** `onMessage` calls waiting for room under the in-flight cap. */
  readonly waiters: (() => void)[];
  /** Offsets of this partition delivered and not yet committed, at most (the input's limit). */
  readonly cap: number;
  lastCommitted: number | undefined;
  /** `watermark.doneCount` at the last successful commit: delivered − this = not yet committed. */
  committedCount: number;
  owned: boolean;
}

/** Everything still to do for one source offset; the offset is done when `pending` reaches 0. */
export interface Token {
  readonly ps: PartitionState;
  readonly offset: number;
  /** Pieces of work derived from this offset still running (records in stages). */
  pending: number;
  /** Of `pending`, the records parked at ordered stages, waiting for their turn. */
  parked: number;
  /** Records bound for topics, held until the offset is committed. */
  outputs: OutgoingMessage[];
}

/** One record on its way through the stages, with the source offset it derives from. */
export interface Work {
  record: TaneRecord;
  token: Token;
}

/**
 * The source partitions of this member: which offsets are in flight, which are
 * done, the outputs they hold, and the cap on offsets delivered but not yet
 * committed (the backpressure that pauses a partition's delivery).
 */
export class PartitionTracker {
  private readonly partitions = new Map<string, PartitionState>();
  /** Records (source offsets) not yet done, over all partitions. */
  inFlight = 0;

  /**
   * @param capOf the in-flight cap of a source topic's partitions (`limits.maxInFlightPerPartition`,
   *   or the input's own `maxInFlightPerPartition`)
   */
  constructor(
    private readonly capOf: (topic: string) => number,
    private readonly onDone: (token: Token) => void,
  ) {}

  /** The state of a partition, created on first use. */
  state(tp: TopicPartition): PartitionState {
    const key = keyOf(tp);
    let ps = this.partitions.get(key);
    if (!ps) {
      ps = {
        tp: { topic: tp.topic, partition: tp.partition },
        watermark: new PartitionWatermark(),
        live: new Map(),
        ready: new Map(),
        waiters: [],
        cap: this.capOf(tp.topic),
        lastCommitted: undefined,
        committedCount: 0,
        owned: true,
      };
      this.partitions.set(key, ps);
    }
    return ps;
  }

  get(tp: TopicPartition): PartitionState | undefined {
    return this.partitions.get(keyOf(tp));
  }

  /** The state of the given partitions (those still tracked), or of every partition. */
  statesOf(only?: TopicPartition[]): PartitionState[] {
    return only ? only.flatMap((tp) => this.partitions.get(keyOf(tp)) ?? []) : [...this.partitions.values()];
  }

  /** Forgets a partition (revoked, or taken over before its commit); its work is no longer committed. */
  forget(tp: TopicPartition): void {
    const key = keyOf(tp);
    const ps = this.partitions.get(key);
    if (!ps) return;
    ps.owned = false;
    this.partitions.delete(key);
    for (const w of ps.waiters.splice(0)) w();
  }

  /** Offsets delivered and not yet committed. */
  uncommitted(ps: PartitionState): number {
    return ps.watermark.delivered - ps.committedCount;
  }

  isFull(ps: PartitionState): boolean {
    return this.uncommitted(ps) >= ps.cap;
  }

  /** Resolves when the partition has room under the cap (or is forgotten). */
  async waitForRoom(ps: PartitionState, stopping: () => boolean): Promise<void> {
    while (this.isFull(ps) && ps.owned && !stopping()) {
      await new Promise<void>((r) => ps.waiters.push(r));
    }
  }

  /** Lets waiting deliveries go on while there is room. */
  wake(ps: PartitionState): void {
    while (ps.waiters.length > 0 && !this.isFull(ps)) ps.waiters.shift()!();
  }

  /** Wakes every waiting delivery (shutdown). */
  wakeAll(): void {
    for (const ps of this.partitions.values()) for (const w of ps.waiters.splice(0)) w();
  }

  /** Starts tracking a delivered offset; the token holds it open until released. */
  track(ps: PartitionState, offset: number): Token {
    const token: Token = { ps, offset, pending: 1, parked: 0, outputs: [] };
    ps.watermark.track(offset);
    ps.live.set(offset, token);
    this.inFlight++;
    return token;
  }

  /** Ends one piece of work of a token; the last one marks the offset done. */
  release(token: Token): void {
    token.pending--;
    if (token.pending > 0) return;
    const { ps } = token;
    if (token.outputs.length > 0) ps.ready.set(token.offset, token.outputs);
    ps.live.delete(token.offset);
    ps.watermark.complete(token.offset);
    this.inFlight--;
    this.onDone(token);
  }

  /** Records the result of a successful commit up to `next`. */
  committed(ps: PartitionState, next: number, doneCount: number, offsets: number[]): void {
    for (const o of offsets) ps.ready.delete(o);
    ps.lastCommitted = next;
    ps.committedCount = doneCount;
    this.wake(ps);
  }
}

/** What one commit takes from one partition: the next offset and the outputs of the offsets before it. */
export interface CommitSlice {
  ps: PartitionState;
  next: number;
  doneCount: number;
  /** Done offsets whose outputs are in `messages`, ascending. */
  offsets: number[];
  /** Outputs in source-offset order. */
  messages: OutgoingMessage[];
}

/** The part of a partition that is ready to commit, or undefined when nothing new is done. */
export function commitSlice(ps: PartitionState): CommitSlice | undefined {
  const next = ps.watermark.committable();
  if (!ps.owned || next === undefined || next === ps.lastCommitted) return undefined;
  const offsets = [...ps.ready.keys()].filter((o) => o < next).sort((a, b) => a - b);
  const messages: OutgoingMessage[] = [];
  for (const o of offsets) messages.push(...ps.ready.get(o)!);
  return { ps, next, doneCount: ps.watermark.doneCount, offsets, messages };
}
