import type { SimQuality } from './generate-examples.ts';
import type { MessyShape, SimStyle } from './messy-reply.ts';

/** Latency of every reply: fixed, or lognormal with the given median and 99th percentile. */
export type SimLatency = { fixedMs?: number } | { medianMs: number; p99Ms: number };

/**
 * Fault rates (0..1) per attempt. Each is decided from (seed, request hash,
 * attempt number for that hash), so the same request can fail and then succeed
 * when retried, and a rerun with the same seed fails in exactly the same places.
 */
export interface SimFaults {
  /** Answer 429 with `Retry-After` (and `retry-after-ms`). */
  rate429?: number;
  /** Seconds in the `Retry-After` header of simulated 429s; fractions go into `retry-after-ms`. Default 1. */
  retryAfterS?: number;
  /** Answer 500. */
  rate500?: number;
  /** Never answer; the request hangs until the client gives up (or the simulator closes). */
  rateTimeout?: number;
  /** Send a 200 with a body cut in the middle of the JSON, then drop the connection. */
  rateTruncated?: number;
  /** Send a well-formed 200 whose message content is not valid JSON. */
  rateMalformedJson?: number;
}

export interface LlmSimOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Changes every generated text and every fault decision. Default 1. */
  seed?: number;
  latency?: SimLatency;
  faults?: SimFaults;
  quality?: Partial<SimQuality>;
  /** When set, requests without `Authorization: Bearer <key>` get 401. */
  requireApiKey?: string;
  /** Model id listed by `GET /v1/models`. Default 'mistralai/Mixtral-8x22B-Instruct-v0.1'. */
  model?: string;
  /**
   * Structured-output types the server accepts in `response_format`; any other
   * type gets a 400 that names `response_format`, like servers without guided
   * decoding. Default both.
   */
  responseFormats?: ReadonlyArray<'json_schema' | 'json_object'>;
  /**
   * `clean` (default): replies are the JSON asked for. `messy`: replies look
   * like real open models' — fenced JSON, chatty preambles, trailing commas,
   * single quotes, comments, `response_format` ignored, and sometimes empty
   * content, a reply cut off with `finish_reason: "length"` or prose; generated
   * examples sometimes open with meta-talk or are refusals.
   */
  style?: SimStyle;
}

/** Counters of everything the simulator saw, from `GET /stats` or `sim.stats()`. */
export interface SimStats {
  /** Every `/v1/*` request, including the ones answered with a fault or an error. */
  requestsTotal: number;
  chatCompletions: number;
  embeddings: number;
  byTask: { generate: number; judge: number; repair: number; unknown: number };
  byStatus: Record<string, number>;
  /** Highest number of `/v1/*` requests in flight at the same moment. */
  maxConcurrent: number;
  inFlight: number;
  faultsInjected: {
    rate429: number;
    rate500: number;
    timeout: number;
    truncated: number;
    malformedJson: number;
    total: number;
  };
  unauthorized: number;
  /** With `style: 'messy'`: how many task replies took each shape. */
  messyShapes: Partial<Record<MessyShape, number>>;
  usage: { promptTokens: number; completionTokens: number };
}

/** A running simulator. */
export interface LlmSim {
  /** Base URL for OpenAI clients, e.g. `http://127.0.0.1:43121/v1`. */
  url: string;
  port: number;
  stats(): SimStats;
  /** Zeroes the counters (and the per-request attempt counts used by fault decisions). */
  resetStats(): void;
  close(): Promise<void>;
}
