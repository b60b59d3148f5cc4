/** The one logger interface; the CLI backs it with pino, tests with a memory logger. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

export interface MemoryLogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps entries in memory, for tests. */
export function memoryLogger(
  entries: MemoryLogEntry[] = [],
  bindings: Record<string, unknown> = {},
): Logger & { entries: MemoryLogEntry[] } {
  const log =
    (level: MemoryLogEntry['level']) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      entries.push({ level, msg, fields: { ...bindings, ...fields } });
    };
  return {
    entries,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (more) => memoryLogger(entries, { ...bindings, ...more }),
  };
}
