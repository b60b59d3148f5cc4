/**
 * The Apache Kafka transport of tane, on kafkajs: idempotent producer, consumer
 * groups with caller-driven commits, read-ahead with per-partition backpressure
 * and membership kept alive while records are processed, and exactly-once
 * output (`commitWithOutputs`: outputs and offset in one Kafka transaction per
 * source partition, the previous owner fenced on hand-over).
 */
export { createKafkaTransport } from './create-kafka-transport.ts';
export type { KafkaLogLevel } from './kafka-log-creator.ts';
export { kafkaSecurityFromEnv, kafkaTransportFactory, parseKafkaUrl } from './kafka-transport-factory.ts';
export type { KafkaSaslOptions, KafkaTransportOptions } from './kafka-transport-options.ts';
