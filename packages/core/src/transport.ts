import type { TaneRecord } from './record.ts';

/**
 * Where topics live. The engine talks only to this interface, so the embedded
 * SQLite log (`@tane/transport-local`) and Apache Kafka (`@tane/transport-kafka`)
 * are interchangeable. Topic names here are physical (prefix already applied).
 *
 * Offsets follow Kafka's rules: a committed offset is the *next* offset to read.
 */
export interface Transport {
  /** `local` or `kafka`, for messages and reports. */
  readonly kind: string;
  /** Where it points, with any credentials removed (`/path/tane.db`, `127.0.0.1:9092`). */
  readonly description: string;

  /** Creates topics that do not exist yet; existing ones are left as they are. Waits until usable. */
  createTopics(topics: TopicSpec[]): Promise<void>;
  /** Every topic with its partition count. */
  listTopics(): Promise<TopicInfo[]>;
  /** Per partition: the first offset still stored and the next offset that will be written. */
  offsets(topic: string): Promise<PartitionOffsets[]>;

  /** A producer; `send` resolves when the messages are durable (acks=all). */
  producer(): Promise<Producer>;
  /** A member of a consumer group (auto-commit off: the caller commits). */
  consumer(options: ConsumerOptions): Promise<GroupConsumer>;
  /**
   * Reads a topic outside any group, from the beginning (or `from` offsets),
   * for plugins that rebuild state on start. With `follow`, keeps yielding new
   * messages until `signal` aborts; without, ends at the offsets current when called.
   */
  read(topic: string, options?: ReadOptions): AsyncIterable<ConsumedMessage>;

  /** The committed offsets of a group (missing partitions have none). */
  committedOffsets(group: string, topic: string): Promise<CommittedOffset[]>;
  /** Moves a group's committed offsets (the group must have no active member). */
  resetOffsets(group: string, topic: string, to: OffsetReset): Promise<void>;

  close(): Promise<void>;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Keep only the newest value per key (Kafka `cleanup.policy=compact`). */
  compacted?: boolean;
}

export interface TopicInfo {
  name: string;
  partitions: number;
  compacted?: boolean;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface PartitionOffsets {
  partition: number;
  /** The first offset still stored. */
  low: number;
  /** The next offset that will be written (the end). */
  high: number;
}

export interface CommittedOffset {
  partition: number;
  /** The next offset the group will read. */
  offset: number;
}

export type OffsetReset =
  | { to: 'earliest' }
  | { to: 'latest' }
  | { to: 'timestamp'; timestamp: number }
  | { to: 'offsets'; offsets: CommittedOffset[] };

/** One message to write. Without `partition`, the transport picks one from the key (same key, same partition). */
export interface OutgoingMessage {
  topic: string;
  key: string;
  value: TaneRecord;
  partition?: number;
}

export interface Producer {
  send(messages: OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** A message as read from a topic. `value` is raw so that an invalid record can be dead-lettered, not lost. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  /** Milliseconds since the epoch when it was written. */
  timestamp: number;
  /**
   * A position marker, not a record: the log holds no record for the consumer
   * at `offset` (a Kafka transaction marker, aborted records). The engine treats
   * the offset as done at once, so the committed offset can move past it to
   * the partition's end; `value` is empty.
   */
  control?: boolean;
}

export interface ConsumerOptions {
  group: string;
  topics: string[];
  /** Where a partition without a committed offset starts. Default `earliest`. */
  start?: 'earliest' | 'latest';
  /** Client id or member name, for logs. */
  clientId?: string;
}

export interface ReadOptions {
  follow?: boolean;
  signal?: AbortSignal;
  /** Start offsets per partition (default: the beginning of each). */
  from?: CommittedOffset[];
}

/** Callbacks of a running group member. */
export interface ConsumerHandlers {
  /**
   * One message, in offset order within its partition. The returned promise is
   * the backpressure: the transport delivers the partition's next message only
   * after it resolves, and keeps the group membership alive meanwhile.
   */
  onMessage(message: ConsumedMessage): Promise<void>;
  /** Partitions given to this member (at start and after each rebalance). */
  onAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /**
   * Partitions taken away. When it resolves, the member no longer owns them:
   * it must not commit their offsets any more.
   */
  onRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  /** A fatal transport error (broker gone for good, lock lost); the member has stopped. */
  onError?(error: Error): void;
}

export interface GroupConsumer {
  /** Joins the group and starts delivering; resolves once the member is running. */
  start(handlers: ConsumerHandlers): Promise<void>;
  /** Commits offsets (each the next offset to read) for partitions this member owns. */
  commit(offsets: Array<TopicPartition & { offset: number }>): Promise<void>;
  /**
   * Optional: writes `messages` and commits `offsets` in one atomic step, so a
   * crash can never leave outputs written whose source offsets are not committed
   * (exactly-once output). If any of the partitions is no longer owned it throws
   * `GROUP_LOCKED` and writes nothing. Transports that cannot do this leave it
   * out, and the engine writes outputs first and commits after (at-least-once;
   * record ids keep sinks idempotent).
   *
   * The engine calls it once per source partition (`offsets` names one
   * partition, `messages` are the outputs of that partition's newly done
   * offsets, in offset order), so a transport may fence per source partition
   * (Kafka: one transactional id per group and source partition). `offsets`
   * names at least one partition, each once; anything else is refused with
   * `USAGE` before anything is written. Records written this way are seen by
   * readers in the order given, and a reader's committed offset can reach the
   * end of their topic (transports that leave transaction markers in the log
   * deliver them as `control` position markers).
   */
  commitWithOutputs?(
    messages: OutgoingMessage[],
    offsets: Array<TopicPartition & { offset: number }>,
  ): Promise<void>;
  /** Stops fetching from partitions (records already delivered keep going). */
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  /** Partitions this member owns now. */
  assignment(): TopicPartition[];
  /** Leaves the group; pending `onMessage` promises are not awaited. */
  stop(): Promise<void>;
}

/** How a transport is chosen from a URL-like string: `local:./.tane/tane.db`, `kafka://127.0.0.1:9092`. */
export interface TransportFactory {
  readonly scheme: string;
  create(url: string, options?: Record<string, unknown>): Promise<Transport>;
}
