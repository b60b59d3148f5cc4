import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function sink() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('keeps a pretty entry on one line when a field holds a multi-line reply excerpt', () => {
    const { lines, destination } = sink();
    const log = createLogger({ format: 'pretty', level: 'info', destination });
    log.warn('llm reply failed validation', { stage: 'judge', excerpt: 'Sure!\nHere is:\r\n{"a": 1}' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('excerpt="Sure!\\nHere is:\\r\\n{\\"a\\": 1}"');
  });

  it('logs fields holding quoted secrets as valid JSON, without the secret', async () => {
    const { lines, destination } = sink();
    const log = createLogger({ format: 'json', level: 'info', destination });
    log.warn('record dead-lettered', { input: 'password = "hun\\"ter2" api_key="k-123456789"' });
    await new Promise((r) => setTimeout(r, 50));
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as { input: string };
    expect(entry.input).not.toContain('hun');
    expect(entry.input).not.toContain('k-123456789');
  });
});
