import { readPipelineFile, validatePipeline } from '@tane/core/engine';
import type { Command } from 'commander';
import { checkStageFiles } from '../check-stage-files.ts';
import { ExitCode } from '../exit-codes.ts';

export function validateCommand(program: Command): void {
  program
    .command('validate')
    .summary('check a pipeline file without running it')
    .description(
      'Checks a pipeline file: YAML syntax, unknown keys, stages and routes, unbounded cycles, that every ' +
        'plugin is installed at a version in range and targets this engine, and every stage config against ' +
        "its plugin's JSON Schema, and the files the stages name (the category-router's categories file). " +
        'Each problem is printed with file:line and the fix.',
    )
    .argument('<pipeline>', 'the pipeline YAML file')
    .option('--json', 'print the problems as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tane validate examples/ja-business/pipeline.yaml
  $ tane validate my-pipeline.yaml --json | jq '.problems[].where'

Exit codes: 0 valid, 2 problems found.`,
    )
    .action(async (file: string, opts: { json?: boolean }) => {
      const { spec, problems: structural } = readPipelineFile(file);
      const validated = await validatePipeline(spec, structural);
      const { pipeline } = validated;
      // The files the stages name (the categories file) are checked too, as `run` would.
      const problems = validated.problems.length === 0 ? await checkStageFiles(pipeline) : validated.problems;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ valid: problems.length === 0, problems }, null, 2)}\n`);
      } else if (problems.length === 0) {
        const stages = Object.entries(pipeline.plugins).map(
          ([id, p]) => `${id} (${p.definition.name}@${p.definition.version})`,
        );
        process.stdout.write(`✓ ${spec.file} is valid: ${stages.length} stages — ${stages.join(', ')}\n`);
      } else {
        process.stdout.write(
          `✗ ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${spec.file}:\n`,
        );
        for (const p of problems)
          process.stdout.write(`  ${p.where}: ${p.code}: ${p.message}\n    → ${p.hint}\n`);
      }
      process.exitCode = problems.length === 0 ? ExitCode.OK : ExitCode.USAGE;
    });
}
