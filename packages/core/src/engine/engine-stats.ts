/** Counters for progress displays and reports. */
export interface EngineStats {
  startedAt: number;
  consumed: number;
  inFlight: number;
  committed: number;
  deadLettered: number;
  stages: Record<
    string,
    { in: number; done: number; failed: number; inFlight: number; routes: Record<string, number> }
  >;
  written: Record<string, number>;
}

/** What the engine reports as it goes; telemetry and progress displays listen to it. */
export type EngineEvent =
  | { type: 'consumed'; topic: string; partition: number; offset: number }
  | { type: 'stage'; stage: string; category: string; durationMs: number; routes: string[]; error?: string }
  | { type: 'written'; topic: string; category: string; recordType: string }
  | { type: 'dead-lettered'; stage: string; category: string; code: string }
  | { type: 'dropped'; stage: string; category: string; route: string }
  | { type: 'committed'; topic: string; partition: number; offset: number };

/** Fresh counters for a run that starts now. */
export function createEngineStats(): EngineStats {
  return {
    startedAt: Date.now(),
    consumed: 0,
    inFlight: 0,
    committed: 0,
    deadLettered: 0,
    stages: {},
    written: {},
  };
}
