/**
 * The page's markup, as HTML text from the page's state (every text from the server escaped):
 * the summary cards, the streams table, each stream's details (problems, warnings, drift field by
 * field, replicas, consumers, charts), the header lines and the banner.
 */
import type { FeedHeader, LimitView, StreamView } from '../feed-protocol.js';
import { chartSvg, sparkSvg } from './chart.js';
import {
  esc,
  formatAgo,
  formatBytes,
  formatClock,
  formatCompact,
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  formatValue,
} from './format.js';
import type { PageHistory } from './page-state.js';

const COLORS = { messages: '#3b6fd8', bytes: '#8a4fd0', rate: '#0f9d8a' };

/** Streams whose details open by themselves: all of a small table, else the first few with something to say. */
export const AUTO_OPEN = 6;

/** Snapshots this many intervals late mean the feed has stopped telling the truth. */
const OVERDUE_INTERVALS = 3;

/** What the page is showing now, beyond the server's state. */
export interface Situation {
  header: FeedHeader;
  /** The page lost its own server's feed. */
  feedLost: boolean;
  /** Now, ms. */
  now: number;
}

/** Whether the streams shown are the server's present ones: NATS read, the snapshot recent, the feed alive. */
export function isCurrent({ header, feedLost, now }: Situation): boolean {
  return !header.stale && !feedLost && !isOverdue(header, now);
}

function isOverdue(header: FeedHeader, now: number): boolean {
  return header.at !== undefined && now - Date.parse(header.at) > OVERDUE_INTERVALS * header.intervalMs + 1000;
}

/**
 * The summary cards. The health card says what `/health` says (with the library's indicators at
 * their defaults); the counts by state are given only while the streams shown are current.
 */
export function summaryHtml(streams: StreamView[], situation: Situation): string {
  const current = isCurrent(situation);
  const { health } = situation.header;
  const verdict =
    !situation.header.at && !situation.header.stale ? 'waiting' : health.up && current ? 'up' : health.up ? 'unknown' : 'down';
  const reason = verdict === 'unknown' ? unknownReason(situation) : (health.reason ?? '');
  const counts = { up: 0, degraded: 0, down: 0 };
  let messages = 0;
  let bytes = 0;
  for (const s of streams) {
    counts[s.status]++;
    messages += s.messages;
    bytes += s.bytes;
  }
  const unknown = '–';
  const cards: Array<[string, string]> = [
    ['streams', formatCount(streams.length)],
    ['up', current ? formatCount(counts.up) : unknown],
    ['degraded', current ? formatCount(counts.degraded) : unknown],
    ['down', current ? formatCount(counts.down) : unknown],
    ['messages', current ? formatCount(messages) : unknown],
    ['stored', current ? formatBytes(bytes) : unknown],
  ];
  const title = reason ? ` title="${esc(reason)}"` : '';
  return (
    `<div class="chip chip-health ${verdict}" data-health="${verdict}"${title}><span>${verdict}</span>health</div>` +
    cards.map(([label, value]) => `<div class="chip chip-${label}" data-card="${label}"><span>${value}</span>${label}</div>`).join('') +
    (reason ? `<div class="health-reason" data-health-reason>${esc(reason)}</div>` : '')
  );
}

function unknownReason({ header, feedLost, now }: Situation): string {
  if (feedLost) return 'lost the connection to this page’s server';
  return `no snapshot since ${header.at ? formatClock(Date.parse(header.at)) : 'start-up'} (${formatAgo(now - Date.parse(header.at ?? ''))})`;
}

/** The banner's text, empty when there is nothing to warn about. */
export function bannerText(situation: Situation): string {
  const { header, feedLost, now } = situation;
  if (feedLost) return 'Lost the connection to this page’s server. Reconnecting… The table shows what was last received.';
  if (header.stale) {
    const last = header.lastGoodAt;
    const text = last
      ? `NATS unreachable. Showing the last good snapshot, taken at ${formatClock(Date.parse(last))} (${formatAgo(now - Date.parse(last))}).`
      : 'NATS unreachable. No snapshot could be taken yet.';
    return header.error ? `${text} ${header.error}` : text;
  }
  if (isOverdue(header, now))
    return `No snapshot for ${formatAgo(now - Date.parse(header.at!)).replace(' ago', '')}: the table may be out of date.`;
  return '';
}

/** The line under the title: the connection's state, name and servers. */
export function connectionHtml(header: FeedHeader): string {
  const { status, name, servers } = header.connection;
  return `<span class="pill conn-${esc(status)}">${esc(status)}</span> <b>${esc(name)}</b> <span class="muted">${esc(servers.join(', '))}</span>`;
}

/** When the streams shown were read, and how often. */
export function updatedText(header: FeedHeader): string {
  const shown = header.stale ? header.lastGoodAt : header.at;
  const when = shown
    ? `${header.stale ? 'last good snapshot ' : 'snapshot '}${formatClock(Date.parse(shown))}`
    : 'waiting for the first snapshot…';
  return `${when} · every ${formatDuration(header.intervalMs * 1e6)}`;
}

/** The streams whose details are open: those toggled open, else {@link AUTO_OPEN} by themselves. */
export function openStreams(streams: StreamView[], toggled: ReadonlyMap<string, boolean>): Set<string> {
  const open = new Set<string>();
  let auto = 0;
  for (const s of streams) {
    const chosen = toggled.get(s.name);
    const notable = streams.length <= AUTO_OPEN || s.problems.length > 0 || s.warnings.length > 0 || s.drift.length > 0;
    if (chosen ?? (notable && auto++ < AUTO_OPEN)) open.add(s.name);
  }
  return open;
}

/** The table's rows: one per stream, and its details when open. */
export function rowsHtml(
  streams: StreamView[],
  histories: ReadonlyMap<string, PageHistory>,
  open: ReadonlySet<string>,
  header: FeedHeader,
): string {
  if (!streams.length)
    return `<tr><td colspan="8" class="empty">${header.at ? 'No streams on this server.' : 'Waiting for the first snapshot…'}</td></tr>`;
  return streams.map((s) => row(s, histories.get(s.name), open.has(s.name))).join('');
}

function row(s: StreamView, history: PageHistory | undefined, open: boolean): string {
  const rate = history ? lastOf(history.rate) : null;
  const warn = s.warnings.length ? ` <span class="warn-count" title="warnings">⚠ ${s.warnings.length}</span>` : '';
  let html =
    `<tr class="stream ${open ? 'open' : ''}" data-stream="${esc(s.name)}">` +
    `<td class="name"><button type="button" class="toggle" aria-expanded="${open}">${esc(s.name)}</button><div class="subjects">${esc(s.subjects.join(', '))}</div></td>` +
    `<td class="status">${statusPill(s.status, s.reason)}${warn}</td>` +
    `<td class="num messages">${formatCount(s.messages)}</td>` +
    `<td class="num bytes">${formatBytes(s.bytes)}</td>` +
    `<td class="limits">${usageBars(s.limits)}</td>` +
    `<td class="num consumers">${formatCount(s.consumerCount)}</td>` +
    `<td class="num rate">${formatRate(rate)}</td>` +
    `<td class="trend">${history ? sparkSvg(history.t, history.messages, COLORS.messages) : ''}</td></tr>`;
  if (open) html += `<tr class="details" data-details="${esc(s.name)}"><td colspan="8">${details(s, history)}</td></tr>`;
  return html;
}

function lastOf(values: Array<number | null>): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
  return null;
}

function statusPill(status: string, reason?: string): string {
  return `<span class="pill ${esc(status)}">${esc(status)}</span>${reason ? ` <span class="reason">${esc(reason)}</span>` : ''}`;
}

function usageBars(limits: LimitView[]): string {
  if (!limits.length) return '<span class="muted">no limits</span>';
  return limits
    .map((l) => {
      const pct = Math.min(100, l.usage * 100);
      const level = l.usage >= 0.9 ? 'hot' : l.usage >= 0.7 ? 'warm' : '';
      const of = l.limit === undefined ? '' : ` of ${l.kind === 'bytes' ? formatBytes(l.limit) : formatCount(l.limit)}`;
      return (
        `<div class="usage" data-limit="${l.kind}">` +
        `<svg class="bar ${level}" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">` +
        `<rect class="track" width="100" height="8"/><rect class="fill" width="${pct.toFixed(1)}" height="8"/></svg>` +
        `<span class="usage-text">${formatPercent(l.usage)}${of}${l.kind === 'bytes' ? '' : ' msgs'}</span></div>`
      );
    })
    .join('');
}

function list(cls: string, items: string[]): string {
  return items.length ? `<ul class="${cls}">${items.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>` : '';
}

function details(s: StreamView, history: PageHistory | undefined): string {
  let out = list('problems', s.problems) + list('warnings', s.warnings);
  if (s.drift.length) {
    out +=
      '<table class="mini drift"><caption>Drift from the declaration</caption><tr><th>field</th><th>on the server</th><th></th><th>declared</th></tr>' +
      s.drift
        .map(
          (d) =>
            `<tr data-field="${esc(d.field)}"><td class="field">${esc(d.field)}</td><td class="current">${esc(formatValue(d.field, d.current))}</td>` +
            `<td class="arrow">→</td><td class="desired">${esc(formatValue(d.field, d.desired))}</td></tr>`,
        )
        .join('') +
      '</table>';
  }
  if (s.replicas) {
    const peers = s.replicas.peers.map((p) => {
      const level = p.state === 'current' ? 'up' : p.state === 'lagging' ? 'degraded' : 'down';
      return ` · ${esc(p.name)} <span class="pill ${level}">${esc(p.state)}</span>${p.lag ? ` lag ${formatCount(p.lag)}` : ''}`;
    });
    out += `<div class="replicas">Leader <b>${esc(s.replicas.leader || 'none')}</b>${peers.join('')}</div>`;
  }
  if (s.consumers.length) {
    out +=
      '<table class="mini consumers"><caption>Declared consumers</caption><tr><th>consumer</th><th>status</th><th class="num">pending</th><th class="num">ack pending</th><th class="num">redelivered</th></tr>' +
      s.consumers
        .map(
          (c) =>
            `<tr data-consumer="${esc(c.name)}"><td>${esc(c.name)}</td><td>${statusPill(c.healthy ? 'up' : 'down', c.reason)}</td>` +
            `<td class="num">${formatCount(c.pending)}</td><td class="num">${formatCount(c.ackPending)}</td><td class="num">${formatCount(c.redelivered)}</td></tr>`,
        )
        .join('') +
      '</table>';
  }
  return out + charts(history);
}

function charts(history: PageHistory | undefined): string {
  if (!history) return '<p class="muted">No history for this stream (beyond the history limit).</p>';
  if (!history.complete) return '<p class="muted loading">Loading the history…</p>';
  const chart = (series: 'messages' | 'bytes' | 'rate', label: string, format: (v: number) => string, fromZero: boolean) =>
    chartSvg({ series, label, times: history.t, values: history[series], format, color: COLORS[series], fromZero, spanMs: 60_000 });
  return `<div class="charts">${chart('messages', 'Messages', formatCompact, false)}${chart('bytes', 'Size', formatBytes, false)}${chart('rate', 'Published per second', formatRate, true)}</div>`;
}
