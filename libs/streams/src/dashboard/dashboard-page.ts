import { createHash } from 'node:crypto';
import { CHART_SCRIPT } from './dashboard-chart.js';
import { FORMAT_SCRIPT } from './dashboard-format.js';
import { APP_SCRIPT } from './dashboard-script.js';

const STYLE = `
:root { --ink: #1c2433; --muted: #6b7487; --line: #e4e8f0; --bg: #f4f6fa; --card: #fff;
  --up: #17803d; --up-bg: #e3f5e9; --degraded: #a45f00; --degraded-bg: #fdf0dc; --down: #c42b2b; --down-bg: #fde6e6; --accent: #3b6fd8; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
.top { display: flex; justify-content: space-between; align-items: flex-end; gap: 16px; margin-bottom: 14px; }
h1 { font-size: 20px; margin: 0 0 4px; letter-spacing: -.01em; }
.muted { color: var(--muted); }
.conn { font-size: 13px; }
.banner { background: var(--degraded-bg); color: #6b3d00; border: 1px solid #f3cf95; border-radius: 8px; padding: 10px 14px; margin-bottom: 14px; font-weight: 600; }
.banner::before { content: "⚠ "; }
.summary { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 14px; }
.chip { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; color: var(--muted); font-size: 12px; min-width: 92px; }
.chip span { display: block; font-size: 18px; font-weight: 650; color: var(--ink); font-variant-numeric: tabular-nums; }
.chip-up span { color: var(--up); } .chip-degraded span { color: var(--degraded); } .chip-down span { color: var(--down); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; box-shadow: 0 1px 2px rgba(20,30,60,.04); }
table { border-collapse: collapse; width: 100%; }
#streams > thead th { text-align: left; font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; padding: 10px 12px; background: #f9fafc; border-bottom: 1px solid var(--line); }
#streams > tbody > tr > td { padding: 10px 12px; border-bottom: 1px solid var(--line); vertical-align: middle; }
#streams td.name { width: 24%; } #streams td.trend { width: 112px; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.stream.open > td { border-bottom-color: transparent; }
.toggle { all: unset; cursor: pointer; font-weight: 650; color: var(--ink); }
.toggle::before { content: "▸"; display: inline-block; width: 10px; margin-right: 4px; font-size: 11px; line-height: 1; color: var(--muted); transition: transform .15s; transform-origin: 40% 55%; }
tr.open .toggle::before { transform: rotate(90deg); }
.subjects { color: var(--muted); font-size: 12px; margin-left: 14px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; background: #eef1f6; color: var(--muted); }
.pill.up, .pill.conn-connected, .pill.conn-reconnected { background: var(--up-bg); color: var(--up); }
.pill.degraded, .pill.conn-reconnecting, .pill.conn-lame-duck, .pill.conn-connecting { background: var(--degraded-bg); color: var(--degraded); }
.pill.down, .pill.conn-disconnected, .pill.conn-closed, .pill.conn-error, .pill.conn-draining { background: var(--down-bg); color: var(--down); }
.reason { font-size: 12px; color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.warn-count { font-size: 12px; color: var(--degraded); font-weight: 600; }
.usage { display: flex; align-items: center; gap: 8px; white-space: nowrap; }
.usage + .usage { margin-top: 4px; }
.bar { width: 90px; height: 8px; border-radius: 4px; overflow: hidden; flex: none; }
.bar .track { fill: #e9edf4; } .bar .fill { fill: var(--accent); }
.bar.warm .fill { fill: #e29a2d; } .bar.hot .fill { fill: var(--down); }
.usage-text { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.spark { width: 96px; height: 24px; display: block; }
.spark polyline { fill: none; stroke-width: 1.5; }
tr.details > td { background: #fbfcfe; padding: 4px 16px 16px 38px !important; }
ul.problems, ul.warnings { margin: 6px 0 10px; padding-left: 18px; }
ul.problems { color: var(--down); } ul.warnings { color: var(--degraded); }
table.mini { width: auto; margin: 6px 0 12px; font-size: 13px; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
table.mini caption { text-align: left; font-weight: 600; padding: 0 0 4px; font-size: 12px; color: var(--muted); }
table.mini th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; padding: 5px 10px; border-bottom: 1px solid var(--line); }
table.mini td { padding: 5px 10px; border-bottom: 1px solid var(--line); font-variant-numeric: tabular-nums; }
table.drift td.field { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
table.drift td.current { color: var(--down); } table.drift td.desired { color: var(--up); font-weight: 600; } table.drift td.arrow { color: var(--muted); }
.replicas { margin: 6px 0 10px; font-size: 13px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 6px; }
svg.chart { width: 300px; height: 120px; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
.c-title { font-size: 11px; font-weight: 600; fill: var(--muted); }
.c-last { font-size: 12px; font-weight: 700; }
.c-axis { font-size: 9.5px; fill: #8d95a6; font-variant-numeric: tabular-nums; }
.c-grid { stroke: #eef1f6; stroke-width: 1; }
.c-line { fill: none; stroke-width: 1.8; stroke-linejoin: round; }
.c-area { opacity: .1; }
td.empty { text-align: center; color: var(--muted); padding: 28px !important; }
body.is-stale #streams > tbody { opacity: .55; filter: grayscale(.6); }
footer { margin-top: 14px; font-size: 12px; }
`;

const SCRIPT = `${FORMAT_SCRIPT}${CHART_SCRIPT}${APP_SCRIPT}`;

/** The hash of an inline script or style, for the page's Content-Security-Policy. */
function sourceHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The page's Content-Security-Policy: only its own inline script and style (by hash), its feed
 * on the same origin, nothing else (no framing, no other scripts, no form targets).
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src ${sourceHash(SCRIPT)}`,
  `style-src ${sourceHash(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The whole page: markup, style and program in one response, nothing else to fetch but its feed. */
export function dashboardPage(title: string, historyMinutes: number): string {
  const safeTitle = title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${safeTitle}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="top">
  <div><h1 id="title">${safeTitle}</h1><div id="conn" class="conn muted">connecting…</div></div>
  <div id="updated" class="muted"></div>
</header>
<div id="stale" class="banner" role="status" hidden></div>
<section id="summary" class="summary"></section>
<main class="card">
<table id="streams">
<thead><tr><th>Stream</th><th>Status</th><th class="num">Messages</th><th class="num">Size</th><th>Limits</th><th class="num">Consumers</th><th class="num">Rate</th><th>Trend</th></tr></thead>
<tbody id="rows"><tr><td colspan="8" class="empty">Waiting for the first snapshot…</td></tr></tbody>
</table>
</main>
<footer class="muted">Read-only. Charts show up to ${historyMinutes} min kept in the server's memory since it started.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
