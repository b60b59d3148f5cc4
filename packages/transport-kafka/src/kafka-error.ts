import { redactSecrets, TaneError } from '@tane/core';

/** What was being done when a kafkajs call failed, for the error message. */
export interface KafkaErrorContext {
  /** `127.0.0.1:9092` (never with credentials). */
  brokers: string;
  /** `listing topics`, `committing offsets of group g`. */
  action: string;
  /** `topic tane.tasks`, `group g`; defaults to the brokers. */
  where?: string;
  /** The topic involved, so an unknown topic becomes `TOPIC_NOT_FOUND`. */
  topic?: string;
}

const UNREACHABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSRequestTimeoutError',
]);
const UNREACHABLE_CODES =
  /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)\b/;
const REBALANCE_TYPES = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'FENCED_INSTANCE_ID',
]);

interface KafkaJsLikeError {
  name?: string;
  type?: string;
  message?: string;
  retriable?: boolean;
  cause?: unknown;
}

/** The error and its causes, outermost first (kafkajs wraps retries several levels deep). */
function causeChain(err: unknown): KafkaJsLikeError[] {
  const chain: KafkaJsLikeError[] = [];
  let current: unknown = err;
  while (current && typeof current === 'object' && chain.length < 8) {
    chain.push(current as KafkaJsLikeError);
    current = (current as KafkaJsLikeError).cause;
  }
  return chain;
}

/** The kafkajs protocol error type (`UNKNOWN_TOPIC_OR_PARTITION`) anywhere in the chain. */
export function kafkaErrorType(err: unknown): string | undefined {
  return causeChain(err).find((e) => typeof e.type === 'string')?.type;
}

/**
 * Errors saying another producer with the same transactional id took over
 * (its `InitProducerId` bumped the epoch) or the broker no longer knows this
 * producer's transaction: nothing this producer does can commit any more.
 */
const FENCED_TYPES = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_ID_MAPPING',
  'INVALID_TXN_STATE',
  'TRANSACTION_COORDINATOR_FENCED',
  'UNKNOWN_PRODUCER_ID',
]);
/** PRODUCER_FENCED (code 90), which kafkajs 2.2.4 does not know by name. */
const UNKNOWN_PRODUCER_FENCED = /Unknown error code 90\b/;

/** True when a transactional producer was fenced: a newer owner of its transactional id exists. */
export function isFencedError(err: unknown): boolean {
  return causeChain(err).some(
    (e) =>
      (typeof e.type === 'string' && FENCED_TYPES.has(e.type)) ||
      (e.type === 'KAFKAJS_UNKNOWN_ERROR_CODE' && UNKNOWN_PRODUCER_FENCED.test(e.message ?? '')),
  );
}

/** True while another operation on the same transactional id is completing (retry shortly). */
export function isConcurrentTransactionError(err: unknown): boolean {
  return causeChain(err).some((e) => e.type === 'CONCURRENT_TRANSACTIONS');
}

/** True when the broker refused because the group moved on (rebalance, eviction). */
export function isRebalanceError(err: unknown): boolean {
  const type = kafkaErrorType(err);
  return type !== undefined && REBALANCE_TYPES.has(type);
}

/**
 * Turns anything kafkajs throws into a `TaneError` with a code, the place and
 * the next step. Messages are passed through `redactSecrets`, so a SASL
 * password never leaves through an error.
 */
export function toKafkaError(err: unknown, ctx: KafkaErrorContext): TaneError {
  if (err instanceof TaneError) return err;
  const chain = causeChain(err);
  const innermost = chain[chain.length - 1];
  const detail = redactSecrets(innermost?.message ?? String(err));
  const where = ctx.where ?? ctx.brokers;
  const type = kafkaErrorType(err);
  const names = chain.map((e) => e.name ?? '');

  if (names.includes('KafkaJSSASLAuthenticationError') || type === 'SASL_AUTHENTICATION_FAILED') {
    return new TaneError('TRANSPORT_ERROR', `Kafka refused the SASL login while ${ctx.action}: ${detail}`, {
      where,
      hint: 'check TANE_KAFKA_SASL_MECHANISM, TANE_KAFKA_USERNAME and TANE_KAFKA_PASSWORD (and TANE_KAFKA_SSL=1 if the listener uses TLS)',
      cause: err,
    });
  }
  if (type === 'ILLEGAL_SASL_STATE' || type === 'UNSUPPORTED_SASL_MECHANISM') {
    return new TaneError(
      'TRANSPORT_ERROR',
      `the Kafka listener at ${ctx.brokers} does not accept this SASL login: ${detail}`,
      {
        where,
        hint: 'the listener may be PLAINTEXT (no SASL) or use another mechanism: unset TANE_KAFKA_SASL_MECHANISM, or set the mechanism the broker enables',
        cause: err,
      },
    );
  }
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION' && ctx.topic !== undefined) {
    return new TaneError('TOPIC_NOT_FOUND', `topic ${ctx.topic} does not exist on ${ctx.brokers}`, {
      where,
      hint: 'create it first (the pipeline creates its topics on start; or `tane topics create`)',
      cause: err,
    });
  }
  if (
    type === 'TOPIC_AUTHORIZATION_FAILED' ||
    type === 'GROUP_AUTHORIZATION_FAILED' ||
    type === 'CLUSTER_AUTHORIZATION_FAILED'
  ) {
    return new TaneError('TRANSPORT_ERROR', `Kafka denied access while ${ctx.action}: ${detail}`, {
      where,
      hint: 'grant the user ACLs for the topics and consumer groups tane uses',
      cause: err,
    });
  }
  if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') {
    return new TaneError(
      'TRANSPORT_ERROR',
      `a record is larger than the broker accepts while ${ctx.action}`,
      {
        where,
        hint: "keep records under the broker's message.max.bytes (1 MiB by default), or raise it for the topic (max.message.bytes)",
        cause: err,
      },
    );
  }
  if (chain.some((e) => UNREACHABLE_NAMES.has(e.name ?? '') || UNREACHABLE_CODES.test(e.message ?? ''))) {
    const tls = /TLS|SSL|certificate/i.test(detail);
    return new TaneError(
      'TRANSPORT_UNREACHABLE',
      `cannot reach Kafka at ${ctx.brokers} while ${ctx.action}: ${detail}`,
      {
        where,
        hint: tls
          ? 'check that the listener speaks TLS (TANE_KAFKA_SSL=1) and that its certificate is trusted'
          : 'check that a broker runs there; for a local one run `npm run kafka:start` (deploy/kafka)',
        retryable: true,
        cause: err,
      },
    );
  }
  if (type !== undefined && REBALANCE_TYPES.has(type)) {
    return new TaneError(
      'TRANSPORT_ERROR',
      `Kafka refused ${ctx.action}: the consumer group is rebalancing (${type})`,
      {
        where,
        hint: 'nothing to do: the member rejoins and the work is committed again after the rebalance',
        retryable: true,
        cause: err,
      },
    );
  }
  const retryable = chain.some((e) => e.retriable === true) && !names.includes('KafkaJSNonRetriableError');
  return new TaneError(
    'TRANSPORT_ERROR',
    `Kafka failed while ${ctx.action}: ${detail}${type ? ` (${type})` : ''}`,
    {
      where,
      hint: 'see the broker log; `bash deploy/kafka/kafka.sh logs` for the local broker',
      retryable,
      cause: err,
    },
  );
}
