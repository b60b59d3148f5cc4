/**
 * The files of a new third-party plugin package (`tane plugin new`): a definition with a config
 * schema, routes and examples, a test on `node:test` with `@tane/testkit` (ending with the
 * definition and behaviour check), a TypeScript build to `dist/`, and a README. Versions of the SDK are the ones this tane was built with.
 */
export interface PluginPackageOptions {
  /** npm package name, e.g. `@acme/tane-plugin-min-length`. */
  name: string;
  engineApi: number;
  coreVersion: string;
  testkitVersion: string;
}

export function pluginPackageFiles(o: PluginPackageOptions): Record<string, string> {
  const short = o.name.replace(/^@[^/]+\//, '').replace(/^tane-plugin-/, '');
  const pkg = {
    name: o.name,
    version: '1.0.0',
    description: `A tane plugin (${short}): routes candidates with a too-short output to \`short\`.`,
    license: 'Apache-2.0',
    type: 'module',
    exports: {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
    types: './dist/index.d.ts',
    files: ['dist', '!dist/**/*.test.*', 'README.md'],
    tane: { role: 'plugin', engineApi: o.engineApi },
    scripts: {
      build: 'tsc -p tsconfig.json',
      test: 'tsc -p tsconfig.json && node --test dist/index.test.js',
      prepublishOnly: 'npm test',
    },
    peerDependencies: { '@tane/core': `^${o.coreVersion}` },
    devDependencies: {
      '@tane/core': `^${o.coreVersion}`,
      '@tane/testkit': `^${o.testkitVersion}`,
      '@types/node': '^20.19.0',
      typescript: '5.9.3',
    },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      types: ['node'],
      strict: true,
      skipLibCheck: true,
      resolveJsonModule: true,
      rewriteRelativeImportExtensions: true,
      verbatimModuleSyntax: true,
      declaration: true,
      rootDir: 'src',
      outDir: 'dist',
    },
    include: ['src'],
  };
  const index = `import { type Example, definePlugin, ENGINE_API, TaneError } from '@tane/core';
import pkg from '../package.json' with { type: 'json' };

/** The config after schema defaults are applied. */
export interface Config {
  /** Characters the output must have, after trimming. */
  minChars: number;
}

export default definePlugin<Config>({
  name: pkg.name,
  version: pkg.version,
  engineApi: ENGINE_API,
  summary: 'Routes candidates with a too-short output to \`short\`',
  description: 'Counts the characters of the output (after trimming) and compares them with \`minChars\`.',
  examples: [{ title: 'At least 20 characters', config: { minChars: 20 } }],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      minChars: { type: 'integer', minimum: 1, default: 10, description: 'characters the output must have' },
    },
  },
  routes: [
    { name: 'ok', description: 'long enough' },
    { name: 'short', description: 'output shorter than minChars' },
  ],
  accepts: ['candidate'],
  emits: ['candidate'],
  create: (config) => ({
    kind: 'handler',
    concurrency: 64,
    async handle(record) {
      const data = record.data as Partial<Example>;
      if (typeof data.output !== 'string') {
        throw new TaneError('INPUT_INVALID', \`record \${record.id} has no output\`, {
          hint: 'feed this stage candidate records (data: {instruction, input, output})',
        });
      }
      return { route: [...data.output.trim()].length >= config.minChars ? 'ok' : 'short', record };
    },
  }),
});
`;
  const test = `import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { checkPluginDefinition, makeRecord, testPlugin } from '@tane/testkit';
import plugin from './index.ts';

const candidate = (output: string) =>
  makeRecord({ type: 'candidate', data: { instruction: 'Say hello', input: '', output } });

test('routes a short output to short and a long one to ok', async () => {
  const h = await testPlugin(plugin, { config: { minChars: 5 } });
  const out = await h.run([candidate('hi'), candidate('hello there')]);
  assert.equal(out.byRoute.short?.length, 1);
  assert.equal(out.byRoute.ok?.length, 1);
  assert.deepEqual(out.failed, []);
  await h.close();
});

test('dead-letters a record without an output, with a code', async () => {
  const h = await testPlugin(plugin);
  const out = await h.run([makeRecord({ type: 'candidate', data: { instruction: 'x' } })]);
  assert.equal(out.failed[0]?.code, 'INPUT_INVALID');
  await h.close();
});

// After the tests of this file: the definition holds (config schema, examples, routes), every
// route was reached and only the declared record types were taken and sent. A new route needs
// a test here that reaches it.
after(() => assert.deepEqual(checkPluginDefinition(plugin, { behaviour: true }), []));
`;
  const readme = `# ${o.name}

A [tane](https://www.npmjs.com/package/@tane/cli) plugin: routes candidates whose output is
shorter than \`minChars\` characters to \`short\`, the others to \`ok\`.

## Use it

\`\`\`sh
npm install ${o.name}
\`\`\`

\`\`\`yaml
stages:
  length:
    plugin: "${o.name}@^1.0.0"
    config: { minChars: 20 }
    routes: { ok: dedup, short: topic:rejected }
\`\`\`

\`npx tane plugins describe ${o.name}\` shows its routes and config.

## Develop it

\`\`\`sh
npm install
npm test          # builds to dist/ and runs src/index.test.ts on node:test with @tane/testkit
npm version minor # new optional config keys or routes; major for removed or renamed ones
npm publish       # runs the tests first
\`\`\`

It targets tane's engine API ${o.engineApi} (\`"tane": {"engineApi": ${o.engineApi}}\`): an engine with another API
major refuses to load it, naming both.
`;
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    'src/index.ts': index,
    'src/index.test.ts': test,
    'README.md': readme,
    '.gitignore': 'node_modules/\ndist/\n',
  };
}
