/**
 * The Apache Kafka transport of tane, on kafkajs: idempotent producer, consumer
 * groups with caller-driven commits, read-ahead with per-partition backpressure
 * and membership kept alive while records are processed.
 */
export { createKafkaTransport } from './create-kafka-transport.ts';
export type { KafkaLogLevel } from './kafka-log-creator.ts';
export { kafkaSecurityFromEnv, kafkaTransportFactory, parseKafkaUrl } from './kafka-transport-factory.ts';
export type { KafkaSaslOptions, KafkaTransportOptions } from './kafka-transport-options.ts';
