import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalJson } from '@tane/core';
import { DEFAULT_QUALITY, generateExamples, type SimQuality } from './generate-examples.ts';
import { hashedEmbedding } from './hashed-embedding.ts';
import { judgeExample } from './judge-example.ts';
import type { LlmSim, LlmSimOptions, SimStats } from './llm-sim-options.ts';
import { type MessyShape, messyExample, messyReply, messyShape } from './messy-reply.ts';
import { repairExample } from './repair-example.ts';
import { schemaInstance } from './schema-instance.ts';
import { hashUnit, SeededRandom, sha256Hex } from './seeded-random.ts';
import { readSimTask, type SimTaskKind } from './sim-task.ts';
import { clipToTokens, estimateTokens, hasJapanese } from './text-lang.ts';

const DEFAULT_MODEL = 'mistralai/Mixtral-8x22B-Instruct-v0.1';
const MAX_BODY_BYTES = 20 * 1024 * 1024;
const CREATED = 1_700_000_000;

type Fault = 'rate429' | 'rate500' | 'timeout' | 'truncated' | 'malformedJson';

function emptyStats(): SimStats {
  return {
    requestsTotal: 0,
    chatCompletions: 0,
    embeddings: 0,
    byTask: { generate: 0, judge: 0, repair: 0, unknown: 0 },
    byStatus: {},
    maxConcurrent: 0,
    inFlight: 0,
    faultsInjected: { rate429: 0, rate500: 0, timeout: 0, truncated: 0, malformedJson: 0, total: 0 },
    unauthorized: 0,
    messyShapes: {},
    usage: { promptTokens: 0, completionTokens: 0 },
  };
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpProblem(413, `request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// Fields that change what a real model would answer; anything else (user, stream_options) is ignored.
const CONTENT_FIELDS = [
  'model',
  'messages',
  'temperature',
  'top_p',
  'max_tokens',
  'seed',
  'stop',
  'response_format',
  'n',
];

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p) => (p && typeof p === 'object' && 'text' in p ? String(p.text) : '')).join('');
  }
  return '';
}

/**
 * Starts the deterministic OpenAI-compatible simulator.
 *
 * @example
 * ```ts
 * const sim = await startLlmSim({ seed: 7, latency: { medianMs: 50, p99Ms: 400 }, faults: { rate429: 0.1 } });
 * const client = new OpenAI({ baseURL: sim.url, apiKey: 'sk-no-key' });
 * // ... run the pipeline ...
 * console.log(sim.stats().maxConcurrent);
 * await sim.close();
 * ```
 */
export async function startLlmSim(options: LlmSimOptions = {}): Promise<LlmSim> {
  const seed = options.seed ?? 1;
  const host = options.host ?? '127.0.0.1';
  const model = options.model ?? DEFAULT_MODEL;
  const faults = options.faults ?? {};
  const quality: SimQuality = { ...DEFAULT_QUALITY, ...options.quality };
  const acceptedFormats = new Set(options.responseFormats ?? ['json_schema', 'json_object']);
  const style = options.style ?? 'clean';
  let stats = emptyStats();
  let attempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const hanging = new Set<ServerResponse>();
  let closing = false;

  const latencyFor = (key: string): number => {
    const l = options.latency;
    if (!l) return 0;
    if ('medianMs' in l) {
      // Lognormal: median e^mu, p99 = e^(mu + 2.326 sigma).
      const mu = Math.log(Math.max(1, l.medianMs));
      const sigma = Math.max(0, Math.log(Math.max(l.p99Ms, l.medianMs) / Math.max(1, l.medianMs)) / 2.3263);
      const u1 = Math.max(1e-12, hashUnit(seed, 'lat1', key));
      const u2 = hashUnit(seed, 'lat2', key);
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      return Math.exp(mu + sigma * z);
    }
    return l.fixedMs ?? 0;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const decideFault = (hash: string, attempt: number): Fault | undefined => {
    const u = hashUnit(seed, 'fault', hash, attempt);
    let edge = 0;
    const order: Array<[Fault, number | undefined]> = [
      ['rate429', faults.rate429],
      ['rate500', faults.rate500],
      ['timeout', faults.rateTimeout],
      ['truncated', faults.rateTruncated],
      ['malformedJson', faults.rateMalformedJson],
    ];
    for (const [fault, rate] of order) {
      edge += rate ?? 0;
      if (u < edge) return fault;
    }
    return undefined;
  };

  const countFault = (fault: Fault) => {
    stats.faultsInjected[fault]++;
    stats.faultsInjected.total++;
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.writableEnded) return;
    const text = JSON.stringify(body);
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  };

  const sendError = (res: ServerResponse, p: HttpProblem) =>
    send(res, p.status, { error: { message: p.message, type: p.type, param: p.param, code: null } });

  const chatContent = (
    body: Record<string, unknown>,
    hash: string,
  ): { content: string; task: SimTaskKind | 'unknown'; finish?: 'stop' | 'length'; shape?: MessyShape } => {
    const messages = body.messages as Array<{ role?: unknown; content?: unknown }>;
    const format = body.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
    const task = readSimTask(messages);
    if (task) {
      let reply: unknown;
      if (task.kind === 'generate') {
        const examples = generateExamples(task, hash, seed, quality).map((i) => i.example);
        reply = {
          examples:
            style === 'messy'
              ? examples.map((e, i) => messyExample(e, task.lang, seed, `${e.instruction}#${i}`))
              : examples,
        };
      } else if (task.kind === 'judge') reply = judgeExample(task, seed);
      else {
        const repaired = repairExample(task, seed, quality.unfixableRate);
        // A chat model sometimes wraps its repair in meta-talk too.
        reply = style === 'messy' ? messyExample(repaired, task.lang, seed, `repair#${hash}`) : repaired;
      }
      if (style === 'messy') {
        // Real open models often ignore response_format: the messy style answers the same with or without it.
        const shape = messyShape(seed, hash);
        const messy = messyReply(reply, shape, task.lang, seed, hash);
        return { content: messy.content, task: task.kind, finish: messy.finishReason, shape };
      }
      let content = JSON.stringify(reply);
      // Without guided decoding, real models often wrap JSON in a Markdown fence.
      if (!format?.type || format.type === 'text') {
        if (hashUnit(seed, 'fence', hash) < 0.3) content = `\`\`\`json\n${content}\n\`\`\``;
      }
      return { content, task: task.kind };
    }
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    const said = messageText(lastUser?.content).trim().replace(/\s+/g, ' ');
    const excerpt = [...said].slice(0, 200).join('');
    const echo = hasJapanese(said)
      ? `（llm-sim の応答）「${excerpt}」を受け取りました。`
      : `llm-sim reply: you said "${excerpt}".`;
    if (format?.type === 'json_schema') {
      const rng = new SeededRandom(seed, 'schema', hash);
      return {
        content: JSON.stringify(schemaInstance(format.json_schema?.schema ?? {}, rng, 'value')),
        task: 'unknown',
      };
    }
    if (format?.type === 'json_object') return { content: JSON.stringify({ reply: echo }), task: 'unknown' };
    return { content: echo, task: 'unknown' };
  };

  const handleChat = async (req: IncomingMessage, res: ServerResponse) => {
    stats.chatCompletions++;
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(await readBody(req));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      throw new HttpProblem(400, 'request body is not a JSON object');
    }
    if (body.stream === true) {
      throw new HttpProblem(
        400,
        'llm-sim does not support stream: true; send non-streaming requests',
        undefined,
        'stream',
      );
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      throw new HttpProblem(400, "'messages' must be a non-empty array", undefined, 'messages');
    }
    const format = body.response_format as { type?: string } | undefined;
    if (format?.type && format.type !== 'text' && !acceptedFormats.has(format.type as 'json_schema')) {
      throw new HttpProblem(
        400,
        `response_format type '${format.type}' is not supported by this server`,
        undefined,
        'response_format',
      );
    }
    const contentKey = canonicalJson(Object.fromEntries(CONTENT_FIELDS.map((f) => [f, body[f]])));
    const hash = sha256Hex(contentKey);
    const attempt = attempts.get(hash) ?? 0;
    attempts.set(hash, attempt + 1);
    const { content: full, task, finish: styleFinish, shape } = chatContent(body, hash);
    stats.byTask[task]++;
    const fault = decideFault(hash, attempt);
    if (fault === 'rate429') {
      countFault(fault);
      const retryAfterS = faults.retryAfterS ?? 1;
      send(
        res,
        429,
        {
          error: {
            message:
              'Rate limit reached for requests (simulated). Please retry after the time in Retry-After.',
            type: 'rate_limit_error',
            param: null,
            code: 'rate_limit_exceeded',
          },
        },
        {
          'retry-after': String(Math.ceil(retryAfterS)),
          'retry-after-ms': String(Math.round(retryAfterS * 1000)),
        },
      );
      return;
    }
    await sleep(latencyFor(`${hash}#${attempt}`));
    if (res.destroyed || closing) return;
    if (fault === 'timeout') {
      countFault(fault);
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (fault === 'rate500') {
      countFault(fault);
      send(res, 500, {
        error: { message: 'simulated internal server error', type: 'server_error', param: null, code: null },
      });
      return;
    }
    const promptText = (body.messages as Array<{ content?: unknown }>)
      .map((m) => messageText(m.content))
      .join('\n');
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : undefined;
    let content = full;
    let finish: string = styleFinish ?? 'stop';
    if (maxTokens !== undefined && estimateTokens(content) > maxTokens) {
      content = clipToTokens(content, maxTokens);
      finish = 'length';
    }
    if (fault === 'malformedJson') {
      countFault(fault);
      const chars = [...content];
      content = `${chars.slice(0, Math.max(1, Math.floor(chars.length * 0.6))).join('')}`;
      if (content.trim().startsWith('{') === false) content = `{"oops": ${content}`;
    }
    const promptTokens = estimateTokens(promptText);
    const completionTokens = estimateTokens(content);
    stats.usage.promptTokens += promptTokens;
    stats.usage.completionTokens += completionTokens;
    const reply = {
      id: `chatcmpl-sim-${hash.slice(0, 16)}`,
      object: 'chat.completion',
      created: CREATED,
      model: typeof body.model === 'string' ? body.model : model,
      system_fingerprint: 'llm-sim',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish, logprobs: null }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    };
    if (fault === 'truncated') {
      countFault(fault);
      const text = Buffer.from(JSON.stringify(reply));
      stats.byStatus[200] = (stats.byStatus[200] ?? 0) + 1;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(text.length) });
      res.write(text.subarray(0, Math.floor(text.length / 2)));
      // Let the half body reach the client before the connection drops.
      setImmediate(() => res.destroy());
      return;
    }
    if (shape) stats.messyShapes[shape] = (stats.messyShapes[shape] ?? 0) + 1;
    send(res, 200, reply);
  };

  const handleEmbeddings = async (req: IncomingMessage, res: ServerResponse) => {
    stats.embeddings++;
    let body: { input?: unknown; dimensions?: unknown; model?: unknown; encoding_format?: unknown };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch {
      throw new HttpProblem(400, 'request body is not a JSON object');
    }
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(inputs) || inputs.some((i) => typeof i !== 'string')) {
      throw new HttpProblem(400, "'input' must be a string or an array of strings", undefined, 'input');
    }
    const dims =
      typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.floor(body.dimensions) : 256;
    const tokens = (inputs as string[]).reduce((n, t) => n + estimateTokens(t), 0);
    send(res, 200, {
      object: 'list',
      model: typeof body.model === 'string' ? body.model : 'llm-sim-embedding',
      data: (inputs as string[]).map((text, index) => {
        const vector = hashedEmbedding(text, dims);
        // The openai SDK asks for base64 (little-endian float32) by default.
        const embedding =
          body.encoding_format === 'base64'
            ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
            : vector;
        return { object: 'embedding', index, embedding };
      }),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  };

  const authorised = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!options.requireApiKey) return true;
    const header = req.headers.authorization ?? '';
    if (header === `Bearer ${options.requireApiKey}`) return true;
    stats.unauthorized++;
    const given = header.replace(/^Bearer\s+/i, '');
    // Like some real servers, the message repeats the key it got, so clients can prove they redact it.
    send(res, 401, {
      error: {
        message: `Incorrect API key provided: ${given || '(none)'}. Check the key given to the server.`,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    return false;
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/health') return send(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/stats') return send(res, 200, structuredClone(stats));
    if (!path.startsWith('/v1/'))
      return sendError(res, new HttpProblem(404, `no route for ${req.method} ${path}`));
    stats.requestsTotal++;
    stats.inFlight++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, stats.inFlight);
    const generation = stats;
    res.on('close', () => {
      // A resetStats() during the request must not drive the new counters negative.
      if (generation === stats) stats.inFlight--;
    });
    if (!authorised(req, res)) return;
    const route = async () => {
      if (req.method === 'POST' && path === '/v1/chat/completions') return handleChat(req, res);
      if (req.method === 'POST' && path === '/v1/embeddings') return handleEmbeddings(req, res);
      if (req.method === 'GET' && path === '/v1/models') {
        return send(res, 200, {
          object: 'list',
          data: [{ id: model, object: 'model', created: CREATED, owned_by: 'llm-sim' }],
        });
      }
      throw new HttpProblem(404, `no route for ${req.method} ${path}`);
    };
    route().catch((err: unknown) => {
      if (err instanceof HttpProblem) sendError(res, err);
      else sendError(res, new HttpProblem(500, `llm-sim failed: ${String(err)}`, 'server_error'));
    });
  });
  server.keepAliveTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = emptyStats();
      attempts = new Map();
    },
    close: async () => {
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const res of hanging) res.destroy();
      hanging.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
