/**
 * The report's stylesheet. Colours follow the Okabe–Ito palette (readable with
 * colour-blindness) and switch with the reader's light/dark preference.
 */
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1d232a; --muted: #56616c; --border: #d5dbe1; --panel: #f5f7f9; --grid: #e4e8ec;
  --link: #0b62a8; --target: #1d232a;
  --c-bar: #0072b2; --c-accepted: #009e73; --c-repaired: #56b4e9; --c-rejected: #d55e00;
  --c-filtered: #e69f00; --c-duplicates: #cc79a7; --c-dlq: #7a7a7a; --c-unaccounted: #c9ced4;
  --c-prompt: #0072b2; --c-completion: #e69f00;
  --warn-bg: #fff4e0; --warn-fg: #7a4100; --warn-border: #f0c27a;
  --note-bg: #eaf4fb; --note-fg: #0d3c61; --note-border: #9cc9ea;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111418; --fg: #e4e8ec; --muted: #9ba6b2; --border: #2e363f; --panel: #181d23; --grid: #252c34;
    --link: #7cc0f5; --target: #f2f4f6;
    --c-bar: #56b4e9; --c-accepted: #2dbd8c; --c-repaired: #86cdf2; --c-rejected: #f2803f;
    --c-filtered: #f1b53c; --c-duplicates: #e394c4; --c-dlq: #a3a3a3; --c-unaccounted: #3d4650;
    --c-prompt: #56b4e9; --c-completion: #f1b53c;
    --warn-bg: #33260f; --warn-fg: #ffd08c; --warn-border: #6b4d17;
    --note-bg: #0f2636; --note-fg: #b9def7; --note-border: #24506f;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body {
  margin: 0 auto; max-width: 1120px; padding: 24px 28px 48px;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Hiragino Sans", "Hiragino Kaku Gothic ProN",
    "Noto Sans CJK JP", "Noto Sans JP", "Yu Gothic UI", Meiryo, sans-serif;
}
a { color: var(--link); }
h1 { font-size: 1.7rem; margin: 0 0 4px; line-height: 1.25; }
h2 { font-size: 1.3rem; margin: 40px 0 10px; padding-top: 8px; border-top: 1px solid var(--border); }
h3 { font-size: 1.05rem; margin: 22px 0 8px; }
p { margin: 8px 0; }
.muted { color: var(--muted); }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 12px; top: 12px; background: var(--bg); padding: 6px 10px; border: 1px solid var(--border); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 14px 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Noto Sans Mono CJK JP", monospace; font-size: 0.92em; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; padding: 0; margin: 6px 0; list-style: none; }
.chips li { border: 1px solid var(--border); border-radius: 999px; padding: 1px 10px; background: var(--panel); font-size: 0.88rem; }
.callout { border: 1px solid; border-radius: 8px; padding: 10px 14px; margin: 14px 0; }
.callout.warn { background: var(--warn-bg); color: var(--warn-fg); border-color: var(--warn-border); }
.callout.note { background: var(--note-bg); color: var(--note-fg); border-color: var(--note-border); }
.callout ul { margin: 4px 0 0; padding-left: 20px; }
nav.toc ol { display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 0; margin: 16px 0 0; list-style: none; font-size: 0.92rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin: 14px 0; }
.card { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 10px 12px; }
.card .k { color: var(--muted); font-size: 0.82rem; }
.card .v { font-size: 1.45rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .s { color: var(--muted); font-size: 0.82rem; }
figure { margin: 12px 0 18px; }
figcaption { color: var(--muted); font-size: 0.88rem; margin-top: 4px; }
svg.chart { display: block; max-width: 100%; height: auto; overflow: visible; }
svg.chart text { fill: var(--fg); font-family: inherit; }
svg.chart .axis text, svg.chart .tick { fill: var(--muted); }
svg.chart .grid { stroke: var(--grid); stroke-width: 1; }
svg.chart .baseline { stroke: var(--border); stroke-width: 1; }
svg.chart .target { stroke: var(--target); stroke-width: 3; }
svg.chart .value { fill: var(--muted); font-variant-numeric: tabular-nums; }
svg.chart rect.seg:hover { opacity: 0.8; }
.c-bar { fill: var(--c-bar); background: var(--c-bar); }
.c-accepted { fill: var(--c-accepted); background: var(--c-accepted); }
.c-repaired { fill: var(--c-repaired); background: var(--c-repaired); }
.c-rejected { fill: var(--c-rejected); background: var(--c-rejected); }
.c-filtered { fill: var(--c-filtered); background: var(--c-filtered); }
.c-duplicates { fill: var(--c-duplicates); background: var(--c-duplicates); }
.c-dlq { fill: var(--c-dlq); background: var(--c-dlq); }
.c-unaccounted { fill: var(--c-unaccounted); background: var(--c-unaccounted); }
.c-prompt { fill: var(--c-prompt); background: var(--c-prompt); }
.c-completion { fill: var(--c-completion); background: var(--c-completion); }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 0; margin: 6px 0; list-style: none; font-size: 0.88rem; }
.legend .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.legend .swatch.target { background: none; border-left: 3px solid var(--target); border-radius: 0; width: 3px; }
.table-wrap { overflow-x: auto; margin: 10px 0 16px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 4px 0 6px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
thead th, tfoot th, tfoot td { font-weight: 600; background: var(--panel); }
tbody th { font-weight: 600; }
th[scope="colgroup"] { text-align: center; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tfoot td, tfoot th { font-weight: 650; border-top: 2px solid var(--border); }
.badge { display: inline-block; font-size: 0.75rem; padding: 0 7px; border-radius: 999px; border: 1px solid var(--border); margin-left: 6px; }
.badge.warn { background: var(--warn-bg); color: var(--warn-fg); border-color: var(--warn-border); }
.badge.ok { color: var(--c-accepted); border-color: currentColor; }
.small-multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px; }
.small-multiples figure { margin: 0; background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 8px; }
.small-multiples figcaption { margin: 0 0 4px; color: var(--fg); font-size: 0.86rem; }
.grid-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
details { margin: 8px 0; }
details > summary { cursor: pointer; font-weight: 600; }
.sample { border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; margin: 10px 0; background: var(--panel); }
.sample h4 { margin: 0 0 6px; font-size: 0.85rem; font-weight: 600; color: var(--muted); }
.sample .field { margin: 6px 0; }
.sample .field > span { display: block; font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.sample pre, .cluster pre {
  margin: 2px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal;
  font: inherit; font-size: 0.92rem; background: var(--bg); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px;
  max-height: 22em; overflow-y: auto;
}
.cluster { border-left: 3px solid var(--c-duplicates); padding: 2px 0 2px 12px; margin: 12px 0; }
footer { margin-top: 48px; color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--border); padding-top: 12px; }
@media print { details { display: block; } body { max-width: none; } }
`;
