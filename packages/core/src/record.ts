import { Ajv, type ErrorObject } from 'ajv';
import { TaneError } from './errors.ts';

/** Which plugin (name@version) touched a record, in which stage of which pipeline. */
export interface LineageEntry {
  /** `name@version` of the plugin, or `tane@<engine version>` for the engine itself. */
  plugin: string;
  /** The stage id in the pipeline file. */
  stage: string;
}

/**
 * The envelope of every message on every topic.
 *
 * - `id` is stable and content-derived (see {@link deriveId}): a replay or a
 *   retry produces the same ids, so every sink can be idempotent.
 * - `lineage` lists the plugins and stages that made the record.
 * - `headers` carries W3C trace context (`traceparent`, `tracestate`).
 */
export interface TaneRecord<D = unknown> {
  id: string;
  type: string;
  category: string;
  data: D;
  meta: Record<string, unknown>;
  lineage: LineageEntry[];
  headers: Record<string, string>;
}

/** JSON Schema (draft-07) of the record envelope; `docs/records.md` explains each field. */
export const recordSchema = {
  $id: 'urn:tane:record:1',
  type: 'object',
  required: ['id', 'type', 'category', 'data'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 512 },
    type: { type: 'string', minLength: 1, maxLength: 64 },
    category: { type: 'string', minLength: 1, maxLength: 128 },
    data: {},
    meta: { type: 'object', default: {} },
    lineage: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        required: ['plugin', 'stage'],
        properties: { plugin: { type: 'string' }, stage: { type: 'string' } },
      },
    },
    headers: { type: 'object', default: {}, additionalProperties: { type: 'string' } },
  },
} as const;

/** The `data` of a seed, and of every generated example: the Self-Instruct triple. */
export interface Example {
  instruction: string;
  input: string;
  output: string;
}

export const exampleSchema = {
  type: 'object',
  required: ['instruction', 'output'],
  properties: {
    instruction: { type: 'string', minLength: 1 },
    input: { type: 'string', default: '' },
    output: { type: 'string', minLength: 1 },
  },
} as const;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
const validateEnvelope = ajv.compile(recordSchema);

/** Human-readable ajv errors: `/data/output: must be string`. */
export function formatSchemaErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid';
  return errors
    .map((e) => {
      const path = e.instancePath || '(root)';
      if (e.keyword === 'additionalProperties') {
        return `${path}: unknown field '${String((e.params as { additionalProperty?: string }).additionalProperty)}'`;
      }
      return `${path}: ${e.message ?? 'invalid'}`;
    })
    .join('; ');
}

/**
 * Validates a value as a record envelope, filling in defaults (`meta`, `lineage`, `headers`).
 * Throws `RECORD_INVALID` naming the offending field.
 */
export function validateRecord(value: unknown, where?: string): TaneRecord {
  if (!validateEnvelope(value)) {
    throw new TaneError(
      'RECORD_INVALID',
      `not a tane record: ${formatSchemaErrors(validateEnvelope.errors)}`,
      {
        ...(where ? { where } : {}),
        hint: 'every message must be {id, type, category, data, meta?, lineage?, headers?}; see docs/records.md',
      },
    );
  }
  return value as unknown as TaneRecord;
}

/** Parses and validates one serialised record. */
export function parseRecord(raw: string | Uint8Array, where?: string): TaneRecord {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TaneError('RECORD_INVALID', `not JSON: ${(err as Error).message}`, {
      ...(where ? { where } : {}),
      hint: 'each message value must be one JSON record envelope; see docs/records.md',
    });
  }
  return validateRecord(value, where);
}

/** Serialises a record for a topic. */
export function serializeRecord(record: TaneRecord): string {
  return JSON.stringify(record);
}
