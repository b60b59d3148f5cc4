import { runLlmSimCli } from './run-llm-sim-cli.ts';

// `node --import tsx packages/llm-sim/src/main.ts --port 8000` runs the simulator without the tane CLI.
runLlmSimCli(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`llm-sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
