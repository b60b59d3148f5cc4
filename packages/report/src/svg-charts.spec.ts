import { describe, expect, it } from 'vitest';
import { barChart, columnChart, niceTicks } from './svg-charts.ts';

const frame = { id: 'c1', title: 'Accepted <per> category', description: 'email: 3 of 5' };

describe('charts', () => {
  it('draws one stacked bar per row, with a target marker, labelled for screen readers', () => {
    const svg = barChart(frame, [
      {
        label: 'email',
        target: 5,
        segments: [
          { value: 3, className: 'c-accepted', label: 'accepted' },
          { value: 1, className: 'c-rejected', label: 'rejected' },
        ],
      },
      { label: '<script>', segments: [{ value: 0, className: 'c-accepted', label: 'accepted' }] },
    ]);
    expect(svg).toMatch(
      /^<svg class="chart" role="img" aria-labelledby="c1-title" aria-describedby="c1-desc"/,
    );
    expect(svg).toContain('<title id="c1-title">Accepted &lt;per&gt; category</title>');
    expect(svg.match(/<rect class="seg /g)).toHaveLength(2);
    expect(svg.match(/<line class="target"/g)).toHaveLength(1);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
  });

  it('draws one column per non-empty bin', () => {
    const svg = columnChart(frame, [
      { label: '1', value: 0 },
      { label: '2', value: 4 },
      { label: '3', value: 10 },
    ]);
    expect(svg.match(/<rect class="seg /g)).toHaveLength(2);
    expect(svg).toContain('role="img"');
  });

  it('makes round axis ticks that cover the maximum', () => {
    expect(niceTicks(3)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(87)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(1234).at(-1)).toBeGreaterThanOrEqual(1234);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});
