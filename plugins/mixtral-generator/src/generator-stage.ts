import {
  type Emission,
  type Example,
  type HandlerStage,
  type RecordContext,
  type StageSetupContext,
  stableHash32,
  TaneError,
  type TaneRecord,
} from '@tane/core';
import {
  type LlmClientFactory,
  loadStageTemplates,
  readCategorySettings,
  StageLlmClients,
} from '@tane/prompt-kit';
import { candidateFilter } from './filters.ts';
import { buildGenerateMessages, GENERATE_TEMPLATES } from './generate-prompt.ts';
import {
  examplesFromReply,
  type GenerateReply,
  generateReplySchema,
  parseGenerateReply,
  type ReplyFormat,
} from './generate-reply.ts';
import { filtersFor, type GenerationParams, type GeneratorConfig, MAX_K } from './generator-config.ts';

/** Handler concurrency: the LLM client's limiter is the real bound, this only keeps enough requests queued. */
export const GENERATOR_CONCURRENCY = 64;

/** A few-shot example as the few-shot-sampler puts it in `data.fewShot`. */
export interface FewShotExample extends Example {
  id: string;
  source?: string;
}

/** `meta.generation` of every candidate. */
export interface GenerationMeta {
  model: string;
  params: GenerationParams;
  template: { id: string; version: string };
  fewShotIds: string[];
  taskId: string;
  /** The task's planning round (`data.round`): the few-shot-sampler uses rows of earlier rounds only. */
  round: number;
}

function inputError(record: TaneRecord, stage: string, message: string, hint: string): TaneError {
  return new TaneError('INPUT_INVALID', `task ${record.id}: ${message}`, { where: `stage ${stage}`, hint });
}

/** A task's planning round; tasks published before rounds existed count as round 1. */
function roundOf(task: TaneRecord): number {
  const round = (task.data as { round?: unknown } | null)?.round;
  return typeof round === 'number' && Number.isInteger(round) && round >= 1 ? round : 1;
}

function readFewShot(record: TaneRecord, stage: string): FewShotExample[] {
  const data = record.data as { fewShot?: unknown } | null;
  const list = data && typeof data === 'object' ? data.fewShot : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    throw inputError(
      record,
      stage,
      'data.fewShot is missing or empty',
      'put the few-shot-sampler stage before the generator: it adds data.fewShot to every task',
    );
  }
  return list.map((item, i) => {
    const e = item as Partial<FewShotExample> | null;
    if (!e || typeof e.instruction !== 'string' || typeof e.output !== 'string') {
      throw inputError(
        record,
        stage,
        `data.fewShot[${i}] is not {id, instruction, input, output}`,
        'check the seeds file of this category and the few-shot-sampler',
      );
    }
    return {
      id: typeof e.id === 'string' ? e.id : String(i),
      ...(typeof e.source === 'string' ? { source: e.source } : {}),
      instruction: e.instruction,
      input: typeof e.input === 'string' ? e.input : '',
      output: e.output,
    };
  });
}

function readK(record: TaneRecord, fallback: number): number {
  const k = (record.data as { k?: unknown } | null)?.k;
  const n = typeof k === 'number' && Number.isFinite(k) ? Math.floor(k) : fallback;
  return Math.min(MAX_K, Math.max(1, n));
}

/**
 * The text of a reply that failed the schema, when the client attached it to
 * its `LLM_INVALID_OUTPUT` error, so the fallback parsers can still read it.
 */
function invalidReplyText(err: TaneError): string | undefined {
  const holders: unknown[] = [err, err.cause];
  for (const h of holders) {
    if (typeof h === 'string') return h;
    if (!h || typeof h !== 'object') continue;
    for (const key of ['content', 'reply', 'raw', 'text']) {
      const v = (h as Record<string, unknown>)[key];
      if (typeof v === 'string' && v !== '') return v;
    }
  }
  return undefined;
}

/**
 * Creates the generator's handler: one chat request per task, one `candidate`
 * per example in the reply (`filtered` when a filter rejects it).
 */
export function createGeneratorStage(
  config: GeneratorConfig,
  setup: Pick<StageSetupContext, 'baseDir' | 'dataDir' | 'stage' | 'logger'>,
  llmClient: LlmClientFactory,
): HandlerStage {
  const templates = loadStageTemplates(GENERATE_TEMPLATES, config.templates, setup.baseDir);
  const clients = new StageLlmClients(llmClient, config.llm, setup);
  const checks = new Map<string, ReturnType<typeof candidateFilter>>();
  const checkFor = (category: string) => {
    let check = checks.get(category);
    if (!check) {
      check = candidateFilter(filtersFor(config, category));
      checks.set(category, check);
    }
    return check;
  };

  async function handle(task: TaneRecord, ctx: RecordContext): Promise<Emission[]> {
    const category = readCategorySettings(task, 'generate', ctx.stage);
    const fewShot = readFewShot(task, ctx.stage);
    const k = readK(task, config.k);
    const template = templates.pick(category.lang, category.templatePath);
    const messages = buildGenerateMessages({
      template,
      lang: category.lang,
      category,
      k,
      examples: fewShot,
      extra: category.extra,
    });
    const params: GenerationParams = {
      ...config.params,
      temperature: category.temperature ?? config.params.temperature,
    };
    // 31 bits: some servers read the seed as a signed 32-bit integer.
    if (config.seedPerTask) params.seed = stableHash32(task.id) & 0x7fffffff;
    const client = clients.get(category.modelName);

    let examples: Example[];
    let model = client.model;
    let format: ReplyFormat = 'json';
    try {
      const result = await client.chatJson<GenerateReply>({
        messages,
        params,
        plugin: ctx.plugin,
        category: task.category,
        signal: ctx.signal,
        logger: ctx.logger,
        schema: generateReplySchema,
        schemaName: 'tane_generate',
        maxInvalidRetries: config.maxInvalidRetries,
      });
      examples = examplesFromReply(result.json);
      model = result.model || client.model;
    } catch (err) {
      if (!(err instanceof TaneError) || err.code !== 'LLM_INVALID_OUTPUT' || !config.fallback) throw err;
      let text = invalidReplyText(err);
      if (text === undefined) {
        // The client keeps only an excerpt of the failed reply, so ask once more without structured output.
        const plain = await client.chat({
          messages,
          params,
          plugin: ctx.plugin,
          category: task.category,
          signal: ctx.signal,
          logger: ctx.logger,
        });
        text = plain.content;
        model = plain.model || client.model;
      }
      const parsed = parseGenerateReply(text);
      if (!parsed) throw err;
      examples = parsed.examples;
      format = parsed.format;
      ctx.logger.warn('generation reply was not the JSON asked for; read it with a fallback parser', {
        task: task.id,
        format,
        examples: examples.length,
      });
    }
    if (examples.length > k) {
      ctx.logger.debug('reply has more examples than asked for; keeping the first k', {
        task: task.id,
        k,
        got: examples.length,
      });
      examples = examples.slice(0, k);
    }

    const generation: GenerationMeta = {
      model,
      params,
      template: { id: template.id, version: template.version },
      fewShotIds: fewShot.map((e) => e.id),
      taskId: task.id,
      round: roundOf(task),
    };
    const check = checkFor(task.category);
    return examples.map((example, i) => {
      const failure = check(example, { lang: category.lang, fewShot, earlier: examples.slice(0, i) });
      const meta: Record<string, unknown> = structuredClone({ category: task.meta.category, generation });
      if (failure) {
        meta.outcome = { status: 'rejected', reason: 'filter', detail: failure.filter, stage: ctx.stage };
        meta.filter = { name: failure.filter, message: failure.message };
      }
      const record = ctx.derive<Example>(task, i, { type: 'candidate', data: example, meta });
      return { route: failure ? 'filtered' : 'candidate', record };
    });
  }

  return { kind: 'handler', concurrency: GENERATOR_CONCURRENCY, handle };
}
