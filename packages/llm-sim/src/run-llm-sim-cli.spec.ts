import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { runLlmSimCli } from './run-llm-sim-cli.ts';

function io() {
  const out: string[] = [];
  return { out, io: { out: (l: string) => out.push(l), err: (l: string) => out.push(l) } };
}

describe('runLlmSimCli', () => {
  it('starts the simulator with the given faults and prints where it listens', async () => {
    const { out, io: sink } = io();
    const sim = await runLlmSimCli(
      ['--port', '0', '--seed', '3', '--fault-500', '1', '--latency-fixed', '5'],
      sink,
    );
    try {
      expect(out).toEqual([`llm-sim (simulator, not a real model) listening on ${sim!.url}`]);
      expect(sim!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const client = new OpenAI({ baseURL: sim!.url, apiKey: 'sk-no-key', maxRetries: 0 });
      await expect(
        client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
      ).rejects.toMatchObject({
        status: 500,
      });
      expect(sim!.stats().faultsInjected.rate500).toBe(1);
    } finally {
      await sim?.close();
    }
  });

  it('answers tane tasks in the messy style of real open models with --style messy', async () => {
    const { out, io: sink } = io();
    const sim = await runLlmSimCli(['--port', '0', '--style', 'messy'], sink);
    try {
      expect(out[0]).toContain('(messy replies)');
      const client = new OpenAI({ baseURL: sim!.url, apiKey: 'sk-no-key', maxRetries: 0 });
      const contents = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const reply = await client.chat.completions.create({
          model: 'm',
          messages: [
            { role: 'system', content: 'tane-task: judge\ntane-lang: en' },
            {
              role: 'user',
              content: `Judge.\n\`\`\`json\n${JSON.stringify({ example: { instruction: `i${i}`, input: '', output: 'o' } })}\n\`\`\``,
            },
          ],
        });
        contents.add(reply.choices[0]!.message.content!.slice(0, 3));
      }
      // Not every reply starts as strict JSON does.
      expect([...contents].some((c) => !c.startsWith('{"'))).toBe(true);
      expect(Object.keys(sim!.stats().messyShapes).length).toBeGreaterThan(3);
    } finally {
      await sim?.close();
    }
    await expect(runLlmSimCli(['--style', 'odd'], sink)).rejects.toThrow(/--style must be clean or messy/);
  });

  it('prints help and rejects bad flags', async () => {
    const { out, io: sink } = io();
    expect(await runLlmSimCli(['--help'], sink)).toBeUndefined();
    expect(out.join('\n')).toContain('--fault-429');
    await expect(runLlmSimCli(['--fault-429', '2'], sink)).rejects.toThrow(
      /--fault-429 must be a number between 0 and 1/,
    );
    await expect(runLlmSimCli(['--latency-median', '100'], sink)).rejects.toThrow(/go together/);
    await expect(runLlmSimCli(['--nope'], sink)).rejects.toThrow(/nope/);
  });
});
