import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPipelineFile } from './pipeline-file.ts';
import { planTopology } from './topology.ts';

const examples = resolve(import.meta.dirname, '../../../../examples');

describe.each(['en-general', 'ja-business'])('replay topology of the %s pipeline', (name) => {
  const { spec } = readPipelineFile(resolve(examples, name, 'pipeline.yaml'));

  it.each(Object.keys(spec.inputs))('from %s runs every stage a running stage routes to', (from) => {
    const topology = planTopology(spec, { from, suffix: 'v2' });
    const running = new Set(topology.stages);
    expect(running.has(spec.inputs[from]!)).toBe(true);
    for (const id of running) {
      for (const target of Object.values(spec.stages[id]!.routes)) {
        if (target.kind === 'stage') expect(running.has(target.stage), `${id} → ${target.stage}`).toBe(true);
      }
    }
    // The checkpoint is read from its original topic; what the replay writes gets the suffix.
    expect(topology.physical(from)).toBe(`${spec.topics.prefix}${from}`);
    for (const out of topology.outputs) if (out !== from) expect(topology.physical(out)).toMatch(/\.v2$/);
  });

  it('from tasks runs the whole pipeline, down to the sink', () => {
    const topology = planTopology(spec, { from: 'tasks', suffix: 'v2' });
    expect(topology.stages).toEqual(Object.keys(spec.stages));
    expect(topology.inputs.map((i) => i.logical).sort()).toEqual(Object.keys(spec.inputs).sort());
  });
});
