import { escapeHtml, formatCompact, formatNumber } from './html.ts';
import { niceStep } from './length-stats.ts';

/** What every chart has: an id (for aria), a title and a text description for screen readers. */
export interface ChartFrame {
  id: string;
  title: string;
  /** A sentence or two saying what the chart shows (its numbers are also in a table nearby). */
  description: string;
}

/** One part of a bar: a value drawn in a colour class (`c-accepted`, …). */
export interface BarSegment {
  value: number;
  className: string;
  label: string;
}

/** One row of a horizontal bar chart. */
export interface BarRow {
  label: string;
  segments: BarSegment[];
  /** A marker drawn across the bar (a category's target). */
  target?: number;
  /** Text after the bar; default the sum of the segments. */
  valueText?: string;
}

/** One column of a column chart (a histogram bin). */
export interface Column {
  label: string;
  value: number;
  className?: string;
  /** Tooltip; default `label: value`. */
  tooltip?: string;
}

const FONT = 13;

function open(frame: ChartFrame, width: number, height: number, extraClass = ''): string {
  const id = escapeHtml(frame.id);
  return (
    `<svg class="chart${extraClass ? ` ${extraClass}` : ''}" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc" ` +
    `viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px" preserveAspectRatio="xMinYMin meet">` +
    `<title id="${id}-title">${escapeHtml(frame.title)}</title><desc id="${id}-desc">${escapeHtml(frame.description)}</desc>`
  );
}

/** 0, step, 2·step, … up to at least `max`, with a round step. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const step = max / count <= 1 ? (max <= 5 ? 1 : niceStep(max / count)) : niceStep(max / count);
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) {
    ticks.push(t);
    if (t >= max) break;
  }
  return ticks;
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Horizontal bars, one per row, optionally stacked from segments and with a
 * target marker. Returns an inline `<svg role="img">`.
 */
export function barChart(
  frame: ChartFrame,
  rows: BarRow[],
  options: { labelWidth?: number; width?: number } = {},
): string {
  const width = options.width ?? 1000;
  const labelWidth = options.labelWidth ?? 180;
  const valueWidth = 130;
  // About 7.5 px per character at this font size.
  const labelChars = Math.max(8, Math.floor((labelWidth - 12) / 7.5));
  const rowHeight = 22;
  const gap = 8;
  const top = 22;
  const plotWidth = width - labelWidth - valueWidth;
  const height = top + rows.length * (rowHeight + gap) + 4;
  const max = Math.max(
    1,
    ...rows.map((r) =>
      Math.max(
        r.segments.reduce((a, s) => a + s.value, 0),
        r.target ?? 0,
      ),
    ),
  );
  const ticks = niceTicks(max);
  const scaleMax = ticks[ticks.length - 1]!;
  const x = (v: number) => labelWidth + (v / scaleMax) * plotWidth;
  const parts: string[] = [open(frame, width, height)];
  parts.push('<g class="axis" aria-hidden="true">');
  for (const t of ticks) {
    parts.push(
      `<line class="grid" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top - 6}" y2="${height - 4}"/>`,
      `<text x="${x(t).toFixed(1)}" y="${top - 10}" text-anchor="middle" font-size="${FONT - 1}">${formatCompact(t)}</text>`,
    );
  }
  parts.push('</g>');
  rows.forEach((row, i) => {
    const y = top + i * (rowHeight + gap);
    const total = row.segments.reduce((a, s) => a + s.value, 0);
    parts.push(`<g class="bar-row">`);
    parts.push(
      `<text class="label" x="${labelWidth - 8}" y="${y + rowHeight / 2 + 4}" text-anchor="end" font-size="${FONT}">${escapeHtml(truncate(row.label, labelChars))}<title>${escapeHtml(row.label)}</title></text>`,
    );
    let at = 0;
    for (const s of row.segments) {
      if (s.value <= 0) continue;
      const w = Math.max(1, (s.value / scaleMax) * plotWidth);
      parts.push(
        `<rect class="seg ${escapeHtml(s.className)}" x="${x(at).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${rowHeight}">` +
          `<title>${escapeHtml(`${row.label} — ${s.label}: ${formatNumber(s.value)}`)}</title></rect>`,
      );
      at += s.value;
    }
    if (row.target !== undefined && row.target > 0) {
      const tx = x(row.target).toFixed(1);
      parts.push(
        `<line class="target" x1="${tx}" x2="${tx}" y1="${y - 3}" y2="${y + rowHeight + 3}"><title>${escapeHtml(`${row.label} — target: ${formatNumber(row.target)}`)}</title></line>`,
      );
    }
    parts.push(
      `<text class="value" x="${(x(Math.max(at, row.target ?? 0)) + 6).toFixed(1)}" y="${y + rowHeight / 2 + 4}" font-size="${FONT}">${escapeHtml(row.valueText ?? formatNumber(total))}</text>`,
    );
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Vertical columns (a histogram). `compact` draws a small chart without axis
 * labels, for small multiples.
 */
export function columnChart(
  frame: ChartFrame,
  columns: Column[],
  options: { compact?: boolean; xTitle?: string; yTitle?: string; width?: number; height?: number } = {},
): string {
  const compact = options.compact ?? false;
  const width = options.width ?? (compact ? 220 : 1000);
  const height = options.height ?? (compact ? 110 : 260);
  const left = compact ? 6 : 56;
  const right = compact ? 6 : 12;
  const top = compact ? 16 : 14;
  const bottom = compact ? 20 : options.xTitle ? 54 : 38;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...columns.map((c) => c.value));
  const ticks = niceTicks(max, 4);
  const scaleMax = ticks[ticks.length - 1]!;
  const y = (v: number) => top + plotH - (v / scaleMax) * plotH;
  const n = Math.max(1, columns.length);
  const slot = plotW / n;
  const barW = Math.max(1, slot * (compact ? 0.7 : 0.86));
  const labelEvery = Math.max(1, Math.ceil(n / (compact ? 5 : Math.floor(width / 70))));
  const parts: string[] = [open(frame, width, height, compact ? 'compact' : '')];
  parts.push('<g class="axis" aria-hidden="true">');
  if (!compact) {
    for (const t of ticks) {
      parts.push(
        `<line class="grid" x1="${left}" x2="${width - right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}"/>`,
        `<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" font-size="${FONT - 1}">${formatCompact(t)}</text>`,
      );
    }
    if (options.yTitle) {
      parts.push(
        `<text x="12" y="${top + plotH / 2}" text-anchor="middle" font-size="${FONT - 1}" transform="rotate(-90 12 ${top + plotH / 2})">${escapeHtml(options.yTitle)}</text>`,
      );
    }
    if (options.xTitle) {
      parts.push(
        `<text x="${left + plotW / 2}" y="${height - 6}" text-anchor="middle" font-size="${FONT - 1}">${escapeHtml(options.xTitle)}</text>`,
      );
    }
  }
  parts.push(
    `<line class="baseline" x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}"/>`,
  );
  parts.push('</g>');
  columns.forEach((c, i) => {
    const cx = left + i * slot + (slot - barW) / 2;
    const h = (c.value / scaleMax) * plotH;
    const tip = c.tooltip ?? `${c.label}: ${formatNumber(c.value)}`;
    if (c.value > 0) {
      parts.push(
        `<rect class="seg ${escapeHtml(c.className ?? 'c-bar')}" x="${cx.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0.5, h).toFixed(1)}"><title>${escapeHtml(tip)}</title></rect>`,
      );
    }
    if (compact) {
      parts.push(
        `<text class="value" x="${(cx + barW / 2).toFixed(1)}" y="${(top + plotH - h - 3).toFixed(1)}" text-anchor="middle" font-size="${FONT - 2}">${c.value > 0 ? formatCompact(c.value) : ''}</text>`,
      );
    }
    if (i % labelEvery === 0) {
      parts.push(
        `<text class="tick" x="${(cx + barW / 2).toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle" font-size="${FONT - (compact ? 1 : 2)}" aria-hidden="true">${escapeHtml(c.label)}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('');
}
