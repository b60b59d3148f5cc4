import type { Command } from 'commander';

export function llmSimCommand(program: Command): void {
  program
    .command('llm-sim')
    .summary('start the deterministic OpenAI-compatible simulator (not a real model)')
    .description(
      'Starts llm-sim, a deterministic OpenAI-compatible HTTP server on 127.0.0.1 that answers tane’s ' +
        'generate, judge and repair prompts with plausible Japanese and English text, with optional latency ' +
        'and faults. For tests, demos and benchmarks only. Run `tane llm-sim --help` for its flags.',
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[flags...]', 'simulator flags (see tane llm-sim --help)')
    .action(async (flags: string[]) => {
      const { runLlmSimCli } = await import('@tane/llm-sim');
      const sim = await runLlmSimCli(flags);
      if (!sim) return;
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sim.close();
    });
}
