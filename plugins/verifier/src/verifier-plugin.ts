import { definePlugin, ENGINE_API, type LineageEntry, TaneError, type TaneRecord } from '@tane/core';
import { Ajv } from 'ajv';
import pkg from '../package.json' with { type: 'json' };
import { type VerifierConfig, verifierConfigSchema } from './verifier-config.ts';
import { type Verification, verifyExample } from './verify-example.ts';
import { type VerifySpec, verifySpecSchema } from './verify-spec.ts';

/** `meta.verification` after the verifier saw a record. */
export interface VerificationMeta extends Verification {
  /** `name@version` of the verifier. */
  verifier: string;
  /** How often this record was verified (1 = first time; a repaired record comes back). */
  round: number;
}

const validateSpec = new Ajv({ allErrors: true, strict: true }).compile(verifySpecSchema);

function declaredChecks(record: TaneRecord, config: VerifierConfig, stage: string): VerifySpec {
  const category = record.meta.category as { verify?: unknown } | undefined;
  const fromMeta = config.fromCategories ? category?.verify : undefined;
  if (fromMeta !== undefined && !validateSpec(fromMeta)) {
    throw new TaneError(
      'CONFIG_INVALID',
      `category ${record.category} declares invalid checks: ${validateSpec.errors?.map((e) => `${e.instancePath || 'verify'} ${e.message}`).join('; ')}`,
      {
        where: `categories file, category ${record.category}, key verify (stage ${stage})`,
        hint: 'see "Declaring checks" in the @tane/plugin-verifier README; fix the categories file and publish new tasks',
      },
    );
  }
  return {
    ...config.defaults,
    ...((fromMeta as VerifySpec | undefined) ?? {}),
    ...(config.categories[record.category] ?? {}),
  };
}

function exampleOf(record: TaneRecord, stage: string) {
  const data = record.data as Record<string, unknown> | null;
  if (
    data === null ||
    typeof data !== 'object' ||
    typeof data.instruction !== 'string' ||
    typeof data.output !== 'string'
  ) {
    throw new TaneError(
      'INPUT_INVALID',
      `record ${record.id} has no data.instruction and data.output strings`,
      {
        where: `stage ${stage}`,
        hint: 'the verifier expects candidate records with data {instruction, input, output}; route the generator or the repairer into it',
      },
    );
  }
  return {
    instruction: data.instruction,
    input: typeof data.input === 'string' ? data.input : '',
    output: data.output,
  };
}

/**
 * The verifier stage: runs the checks a category declares and routes the
 * record to `pass` (verified, or nothing to check) or `fail` (with the
 * concrete errors in `meta.verification`, for the repairer).
 */
export const verifierPlugin = definePlugin<VerifierConfig>({
  name: pkg.name,
  version: pkg.version,
  engineApi: ENGINE_API,
  summary:
    'Checks answers a program can check (SQL runs, arithmetic, JSON keys, formulas, language, length, patterns) before the judge',
  description: [
    'Runs the checks declared per category (`verify:` in categories.yaml, carried in meta.category by the category router, or in this stage config):',
    '`sql` runs the query in an in-memory SQLite database built from the table definitions in the input (and compares rows when the input gives `expected:`),',
    '`arithmetic` recomputes every `a × b = c` of the answer with mathjs, `json` parses the JSON and checks the keys the instruction names (or a JSON Schema),',
    '`formula` parses and evaluates spreadsheet formulas with HyperFormula, `lang` checks the output language, `length` and `regex` its length and patterns.',
    'A failed record goes to `fail` with the errors in meta.verification; route it to the repairer, which shows them to the model, and route the repairer back here.',
    'A verified record gets a lineage entry `{stage: "<stage>:verified", checks}`, which the dataset keeps.',
  ].join(' '),
  examples: [
    { title: 'Checks from categories.yaml', config: {} },
    {
      title: 'Checks in the stage config',
      summary: 'SQL for one category, English output for another, at most 4000 characters everywhere.',
      config: {
        defaults: { length: { max: 4000 } },
        categories: { 'sql-query': { sql: true }, 'translation-ja-en': { lang: 'en' } },
      },
    },
  ],
  configSchema: verifierConfigSchema,
  routes: [
    {
      name: 'pass',
      description:
        "every declared check passed, or none applies: `meta.verification.status = 'verified' | 'unchecked'`; route it to the judge",
    },
    {
      name: 'fail',
      description:
        "a check failed: `meta.verification = {status: 'failed', checks: [{check, status, error}]}`; route it to the repairer",
    },
  ],
  accepts: ['candidate'],
  emits: ['candidate'],
  create(config) {
    return {
      kind: 'handler',
      concurrency: 16,
      async handle(record, ctx) {
        const spec = declaredChecks(record, config, ctx.stage);
        const verification = verifyExample(exampleOf(record, ctx.stage), spec);
        const previous = record.meta.verification as VerificationMeta | undefined;
        const meta: VerificationMeta = {
          ...verification,
          verifier: ctx.plugin,
          round: (typeof previous?.round === 'number' ? previous.round : 0) + 1,
        };
        const history = previous
          ? [...((record.meta.verificationHistory as unknown[] | undefined) ?? []), previous]
          : undefined;
        const next: TaneRecord = {
          ...record,
          meta: { ...record.meta, verification: meta, ...(history ? { verificationHistory: history } : {}) },
        };
        if (verification.status === 'failed') return { route: 'fail', record: next };
        if (verification.status === 'verified') {
          const checks = verification.checks.filter((c) => c.status === 'passed').map((c) => c.check);
          // The dataset keeps lineage (not meta), so the mark goes there; entries may carry extra keys.
          const mark = { plugin: ctx.plugin, stage: `${ctx.stage}:verified`, checks } as LineageEntry;
          next.lineage = [...record.lineage, mark];
        }
        return { route: 'pass', record: next };
      },
    };
  },
});
