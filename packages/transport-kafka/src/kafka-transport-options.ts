import type tls from 'node:tls';
import type { Logger } from '@tane/core';
import type { KafkaLogLevel } from './kafka-log-creator.ts';

/** A SASL login. The password is registered with `registerSecret`, so it is redacted wherever it would appear. */
export interface KafkaSaslOptions {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

/** Settings of {@link createKafkaTransport}. Only `brokers` is required. */
export interface KafkaTransportOptions {
  /** Bootstrap brokers, `host:port` each. */
  brokers: string[];
  /** Client id sent to the brokers (default `tane`); a consumer's own `clientId` overrides it. */
  clientId?: string;
  /** TLS: `true` for the system trust store, or Node TLS options (CA, client certificate). */
  ssl?: boolean | tls.ConnectionOptions;
  sasl?: KafkaSaslOptions;
  /** One TCP/TLS connection attempt (default 3000 ms). */
  connectionTimeoutMs?: number;
  /** Where kafkajs's own log goes (warnings and errors only, by default). Default: silent. */
  logger?: Logger;
  /** Consumer group session timeout (default 30000 ms; the broker allows 6000–1800000). */
  sessionTimeoutMs?: number;
  /** Consumer heartbeat interval (default 3000 ms, must be below the session timeout). */
  heartbeatIntervalMs?: number;
  /** How long the first connection may take before `TRANSPORT_UNREACHABLE` (default 15000 ms). */
  connectDeadlineMs?: number;
  /** Longest a fetch waits on the broker for new data; also the longest a resumed partition may wait for its next fetch (default 250 ms). */
  maxWaitTimeMs?: number;
  /** How long a consumer keeps rejoining after losing the brokers before it calls `onError` (default 120000 ms). */
  maxOutageMs?: number;
  /**
   * Longest one admin request (offsets, committed offsets, metadata, topics) may
   * take before it fails as a retryable `TRANSPORT_ERROR` and the admin client
   * reconnects (default 90000 ms: above kafkajs's own request timeout and retries).
   */
  adminDeadlineMs?: number;
  /** Bytes (message values) read ahead per partition before its fetching pauses (default 4 MiB). */
  maxBufferedBytesPerPartition?: number;
  /**
   * Exactly-once output: consumers offer `commitWithOutputs`, which writes a
   * source partition's outputs and commits its offset in one Kafka transaction
   * (default `true`; `TANE_KAFKA_TRANSACTIONS=0` through the factory).
   */
  transactions?: boolean;
  /**
   * How long the broker lets a transaction stay open before it aborts it
   * (default 10000 ms): the longest a crashed member's open transaction holds
   * read_committed readers back when no new owner fences it sooner.
   */
  transactionTimeoutMs?: number;
  /** kafkajs's own log level (default `warn`). */
  kafkaLogLevel?: KafkaLogLevel;
}
