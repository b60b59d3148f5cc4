import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The SDK entry points whose public API is reviewed through a committed report (`api/*.api.md`). */
const CONFIGS = [
  'packages/core/api-extractor.json',
  'packages/core/api-extractor.engine.json',
  'packages/testkit/api-extractor.json',
];

describe('the API reports of the SDK packages', () => {
  it('match the committed api/*.api.md (npm run api:update rewrites them after an intended change)', () => {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    const changed: string[] = [];
    for (const file of CONFIGS) {
      const config = ExtractorConfig.loadFileAndPrepare(resolve(ROOT, file));
      const result = Extractor.invoke(config, { localBuild: false, showVerboseMessages: false });
      expect(result.errorCount, file).toBe(0);
      if (result.apiReportChanged) changed.push(`${file} → ${config.reportFilePath}`);
    }
    expect(changed, 'public API changed: review it, then npm run api:update and commit the reports').toEqual(
      [],
    );
  }, 120_000);
});
