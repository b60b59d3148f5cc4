/**
 * Wake-ups for idle readers. Writes made in this process are announced at once
 * through a per-file hub; writes made by other processes are noticed by polling
 * `PRAGMA data_version`, which changes whenever another connection commits.
 */

type TopicListener = (topics: ReadonlySet<string>) => void;
type GroupListener = (group: string) => void;

interface Hub {
  topics: Set<TopicListener>;
  groups: Set<GroupListener>;
}

// On `globalThis`, so that two copies of this module in one process still wake each other.
const hubs: Map<string, Hub> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('tane.transport-local.hubs')
] ??= new Map<string, Hub>()) as Map<string, Hub>;

function hubFor(file: string): Hub {
  let hub = hubs.get(file);
  if (!hub) {
    hub = { topics: new Set(), groups: new Set() };
    hubs.set(file, hub);
  }
  return hub;
}

function dropIfEmpty(file: string): void {
  const hub = hubs.get(file);
  if (hub && hub.topics.size === 0 && hub.groups.size === 0) hubs.delete(file);
}

/** Tells every reader of `file` in this process that these topics have new messages. */
export function announceTopics(file: string, topics: ReadonlySet<string>): void {
  const hub = hubs.get(file);
  if (!hub) return;
  for (const listener of [...hub.topics]) listener(topics);
}

/** Tells every member of `group` in this process that the group's membership or assignment changed. */
export function announceGroup(file: string, group: string): void {
  const hub = hubs.get(file);
  if (!hub) return;
  for (const listener of [...hub.groups]) listener(group);
}

/** Listens for group changes in this process; returns the function that stops listening. */
export function onGroupChange(file: string, listener: GroupListener): () => void {
  const hub = hubFor(file);
  hub.groups.add(listener);
  return () => {
    hub.groups.delete(listener);
    dropIfEmpty(file);
  };
}

interface Waiter {
  topic: string;
  resolve: () => void;
}

export class ChangeFeed {
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private lastVersion: number;
  private closed = false;
  private readonly listener: TopicListener = (topics) => this.wake(topics);

  constructor(
    private readonly file: string,
    private readonly pollIntervalMs: number,
    private readonly dataVersion: () => number,
  ) {
    this.lastVersion = dataVersion();
    hubFor(file).topics.add(this.listener);
  }

  /** Resolves when `topic` may have new messages (or on timeout of one poll that saw a change, abort, close). */
  wait(topic: string, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        topic,
        resolve: () => {
          this.waiters.delete(waiter);
          signal?.removeEventListener('abort', waiter.resolve);
          resolve();
        },
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', waiter.resolve, { once: true });
      this.ensurePolling();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    hubs.get(this.file)?.topics.delete(this.listener);
    dropIfEmpty(this.file);
    this.stopPolling();
    for (const waiter of [...this.waiters]) waiter.resolve();
  }

  private wake(topics?: ReadonlySet<string>): void {
    for (const waiter of [...this.waiters]) {
      if (!topics || topics.has(waiter.topic)) waiter.resolve();
    }
    if (this.waiters.size === 0) this.stopPolling();
  }

  private ensurePolling(): void {
    if (this.timer || this.closed) return;
    // The timer is deliberately not unref'd: an idle follower keeps the process alive, as a socket would.
    this.timer = setInterval(() => this.poll(), this.pollIntervalMs);
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private poll(): void {
    if (this.waiters.size === 0) {
      this.stopPolling();
      return;
    }
    let version: number;
    try {
      version = this.dataVersion();
    } catch {
      // The connection is closing; close() resolves the waiters.
      return;
    }
    if (version !== this.lastVersion) {
      this.lastVersion = version;
      this.wake();
    }
  }
}
