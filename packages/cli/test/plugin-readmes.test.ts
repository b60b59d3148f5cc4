import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configMarkdown, hasRoutesSection, readmeRouteGaps } from '../src/plugin-docs.ts';
import { syncPluginReadmes } from '../src/plugin-readmes.ts';

describe("every plugin README's Configuration section", () => {
  it('is what the plugin definition generates (npm run docs:plugins rewrites it)', async () => {
    const drift = await syncPluginReadmes(resolve(import.meta.dirname, '../../../plugins'), false);
    expect(
      drift.map((d) => ({ readme: d.readme, missingRoutes: d.missingRoutes })),
      'README sections out of date: run npm run docs:plugins; or a Routes section lacks a route',
    ).toEqual([]);
  });
});

describe('routes in a README', () => {
  const definition = {
    name: 'p',
    version: '1.0.0',
    engineApi: 1,
    summary: 's',
    description: 'd',
    configSchema: { type: 'object', properties: {} },
    routes: [
      { name: 'kept', description: 'The record, kept.' },
      { name: 'dropped', description: 'A record it drops.' },
    ],
    examples: [],
    // biome-ignore lint/suspicious/noExplicitAny: a definition with only what the docs read
  } as any;
  const generated = configMarkdown(definition, { routes: false });
  const readme = (own: string) => `# p\n\n${generated}\n${own}`;

  it('are listed once: in the README’s own Routes section when it has one, else in the generated one', () => {
    expect(configMarkdown(definition)).toContain('### Routes');
    expect(generated).not.toContain('### Routes');
    expect(hasRoutesSection(readme('## Routes\n\n| `kept` | … |\n'))).toBe(true);
    // The generated section's own heading does not count as the README's.
    expect(hasRoutesSection(`# p\n\n${configMarkdown(definition)}`)).toBe(false);
  });

  it('a Routes section that leaves out a declared route is reported', () => {
    expect(readmeRouteGaps(readme('## Routes\n\n| `kept` | … |\n'), definition)).toEqual(['dropped']);
    expect(readmeRouteGaps(readme('## Routes\n\n`kept`, and `dropped`.\n'), definition)).toEqual([]);
  });
});
