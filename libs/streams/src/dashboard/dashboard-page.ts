import { createHash } from 'node:crypto';
import { PAGE_SCRIPT, PAGE_STYLE } from './page-assets.generated.js';

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
  `script-src ${sourceHash(PAGE_SCRIPT)}`,
  `style-src ${sourceHash(PAGE_STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The whole page: markup, style and program (bundled from `browser/` at build time) in one
 * response; nothing else to fetch but its feed and the histories of the streams it charts.
 */
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
<style>${PAGE_STYLE}</style>
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
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
