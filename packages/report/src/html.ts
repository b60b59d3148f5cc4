const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML and SVG, in element content and in quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** `1234567` → `1,234,567`; fractions get at most `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Compact form for axis labels: `12k`, `1.2M`. */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  return formatNumber(value, abs < 10 && !Number.isInteger(value) ? 1 : 0);
}

function trim(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** `part / whole` as `42.1%` (or `–` when whole is 0). */
export function formatPercent(part: number, whole: number, digits = 1): string {
  if (!whole) return '–';
  return `${((part / whole) * 100).toFixed(digits)}%`;
}

/** A string safe to use as an element id. */
export function slug(value: string): string {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'x';
}

/** Length in characters (code points), so a Japanese character or an emoji counts once. */
export function charLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}
