/** The README `tane init` writes into a new project. */
export function projectReadme({ name, example }: { name: string; example: string }): string {
  return `# ${name}

An instruction-tuning dataset made with [tane](https://www.npmjs.com/package/@tane/cli), started
from its \`${example}\` example set.

| file              | what it is                                                                |
| ----------------- | ------------------------------------------------------------------------- |
| \`pipeline.yaml\`   | the stages (generate → verify → judge → repair → dedup → decontaminate → dataset) |
| \`categories.yaml\` | what to generate: one entry per category, with its description, target and rubric |
| \`seeds/\`          | hand-written examples, one JSONL file per category                       |
| \`benchmarks/\`     | sample test sets the decontaminate stage removes overlaps with; replace them with yours |

## Run it

Everything at once, on the embedded log (a SQLite file in \`.tane/\`); without \`OPENAI_BASE_URL\`
tane starts its simulator and says so — its text is synthetic:

\`\`\`sh
npx tane demo
\`\`\`

Step by step:

\`\`\`sh
npx tane validate pipeline.yaml                      # config errors with file:line
npx tane publish seeds seeds/*.jsonl                 # the seeds
npx tane generate pipeline.yaml --per-category 20    # generation tasks
npx tane run pipeline.yaml --until-idle              # one worker; start more for more throughput
npx tane report .tane/datasets/${name}
\`\`\`

With a real model, set the endpoint first:

\`\`\`sh
export OPENAI_BASE_URL=http://127.0.0.1:8000/v1 OPENAI_API_KEY=… TANE_MODEL=mistralai/Mixtral-8x22B-Instruct-v0.1
\`\`\`

## Your own plugin

\`npx tane plugin new @acme/tane-plugin-my-check\` writes a plugin package with a test; publish it
to your registry, \`npm install\` it here, and name it in \`pipeline.yaml\` with a version range
(\`plugin: "@acme/tane-plugin-my-check@^1.0.0"\`).
`;
}
