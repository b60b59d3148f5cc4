/**
 * The embedded default transport: topics, partitions, offsets and consumer
 * groups in one SQLite file, with Kafka's semantics.
 */
export {
  describeLocalStore,
  type LocalGroupDescription,
  type LocalGroupMemberDescription,
  type LocalGroupOffsetDescription,
  type LocalPartitionDescription,
  type LocalStoreDescription,
  type LocalTopicDescription,
} from './describe-local-store.ts';
export { createLocalTransport, type LocalTransportOptions } from './local-transport.ts';
export { localTransportFactory, parseLocalUrl } from './local-transport-factory.ts';
export { murmur2, partitionForKey } from './murmur2.ts';
