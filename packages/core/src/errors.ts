/**
 * Every error a user can hit carries a stable code, the place it happened and
 * what to do next. Codes are part of the public API: scripts match on them.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  CONFIG_NOT_FOUND: 'CONFIG_NOT_FOUND',
  PIPELINE_INVALID: 'PIPELINE_INVALID',
  PLUGIN_NOT_FOUND: 'PLUGIN_NOT_FOUND',
  PLUGIN_VERSION_MISMATCH: 'PLUGIN_VERSION_MISMATCH',
  PLUGIN_API_MISMATCH: 'PLUGIN_API_MISMATCH',
  PLUGIN_INVALID: 'PLUGIN_INVALID',
  RECORD_INVALID: 'RECORD_INVALID',
  ROUTE_UNKNOWN: 'ROUTE_UNKNOWN',
  STAGE_ERROR: 'STAGE_ERROR',
  STAGE_TIMEOUT: 'STAGE_TIMEOUT',
  CYCLE_LIMIT: 'CYCLE_LIMIT',
  TRANSPORT_UNREACHABLE: 'TRANSPORT_UNREACHABLE',
  TRANSPORT_ERROR: 'TRANSPORT_ERROR',
  TOPIC_NOT_FOUND: 'TOPIC_NOT_FOUND',
  GROUP_LOCKED: 'GROUP_LOCKED',
  LLM_CONFIG: 'LLM_CONFIG',
  LLM_UNREACHABLE: 'LLM_UNREACHABLE',
  LLM_MODEL_UNKNOWN: 'LLM_MODEL_UNKNOWN',
  LLM_RETRIES_EXHAUSTED: 'LLM_RETRIES_EXHAUSTED',
  LLM_THROTTLED: 'LLM_THROTTLED',
  LLM_BUDGET_EXHAUSTED: 'LLM_BUDGET_EXHAUSTED',
  LLM_INVALID_OUTPUT: 'LLM_INVALID_OUTPUT',
  LLM_ABORTED: 'LLM_ABORTED',
  INPUT_INVALID: 'INPUT_INVALID',
  USAGE: 'USAGE',
} as const;

/** A known error code, or a plugin's own code (e.g. `DEDUP_INDEX`). */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes] | (string & {});

export interface TaneErrorOptions {
  /** Where it happened: `file:line`, `topic/partition@offset`, `stage judge`, a URL without credentials. */
  where?: string;
  /** The next step for the user, as an imperative sentence. */
  hint?: string;
  cause?: unknown;
  /** Whether retrying the same work may succeed (network faults, timeouts). */
  retryable?: boolean;
  /** How many times the failed operation was really tried (an LLM call's HTTP attempts and re-asks), when more than once. */
  attempts?: number;
}

/**
 * The one error type of tane.
 *
 * @example
 * ```ts
 * throw new TaneError('PLUGIN_NOT_FOUND', 'plugin @acme/scorer is not installed', {
 *   where: 'pipeline.yaml:12',
 *   hint: 'run `npm install @acme/scorer` or give a local path',
 * });
 * ```
 */
export class TaneError extends Error {
  readonly code: ErrorCode;
  readonly where: string | undefined;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly attempts: number | undefined;

  constructor(code: ErrorCode, message: string, options: TaneErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TaneError';
    this.code = code;
    this.where = options.where;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
    this.attempts = options.attempts;
  }

  /** `CODE at where: message\n  → hint`, the form the CLI prints. */
  format(): string {
    const at = this.where ? ` at ${this.where}` : '';
    const hint = this.hint ? `\n  → ${this.hint}` : '';
    return `${this.code}${at}: ${this.message}${hint}`;
  }

  toJSON(): { code: string; message: string; where?: string; hint?: string } {
    return {
      code: this.code,
      message: this.message,
      ...(this.where ? { where: this.where } : {}),
      ...(this.hint ? { hint: this.hint } : {}),
    };
  }
}

/** Any thrown value as a TaneError (unknown errors become `fallbackCode`). */
export function toTaneError(err: unknown, fallbackCode: ErrorCode = ErrorCodes.STAGE_ERROR): TaneError {
  if (err instanceof TaneError) return err;
  if (err instanceof Error) return new TaneError(fallbackCode, err.message, { cause: err });
  return new TaneError(fallbackCode, String(err));
}
