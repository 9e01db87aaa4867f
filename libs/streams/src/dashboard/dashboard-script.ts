/**
 * The page's program, as browser JavaScript: follows `<page path>/events` (server-sent events),
 * keeps the history it receives, and renders the streams table, each stream's details (problems,
 * warnings, drift field by field, replicas, consumers, charts), and the banners: the server's
 * NATS unreachable (the table stays, marked stale) or the feed itself lost.
 */
export const APP_SCRIPT = String.raw`
var state = { view: null, history: { t: [], capacity: 2, streams: {} }, toggled: {}, feedLost: false };
var feedUrl = location.pathname.replace(/\/+$/, '') + '/events';
var COLORS = { messages: '#3b6fd8', bytes: '#8a4fd0', rate: '#0f9d8a' };

function $(id) { return document.getElementById(id); }

function append(point) {
  var h = state.history;
  h.t.push(point.t);
  Object.keys(point.streams).forEach(function (name) {
    if (!h.streams[name]) {
      var empty = h.t.map(function () { return null; }).slice(1);
      h.streams[name] = { messages: empty.slice(), bytes: empty.slice(), rate: empty.slice() };
    }
  });
  Object.keys(h.streams).forEach(function (name) {
    var s = h.streams[name], p = point.streams[name] || [null, null, null];
    s.messages.push(p[0]); s.bytes.push(p[1]); s.rate.push(p[2]);
  });
  var extra = h.t.length - h.capacity;
  if (extra > 0) {
    h.t.splice(0, extra);
    Object.keys(h.streams).forEach(function (name) {
      var s = h.streams[name];
      s.messages.splice(0, extra); s.bytes.splice(0, extra); s.rate.splice(0, extra);
    });
  }
}

function lastOf(values) {
  for (var i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
  return null;
}

function statusPill(status, reason) {
  return '<span class="pill ' + esc(status) + '">' + esc(status) + '</span>' + (reason ? ' <span class="reason">' + esc(reason) + '</span>' : '');
}

function usageBars(limits) {
  if (!limits.length) return '<span class="muted">no limits</span>';
  return limits.map(function (l) {
    var pct = Math.min(100, l.usage * 100);
    var level = l.usage >= 0.9 ? 'hot' : l.usage >= 0.7 ? 'warm' : '';
    var of = l.limit === undefined ? '' : ' of ' + (l.kind === 'bytes' ? formatBytes(l.limit) : formatCount(l.limit));
    return '<div class="usage" data-limit="' + l.kind + '">' +
      '<svg class="bar ' + level + '" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">' +
      '<rect class="track" width="100" height="8"/><rect class="fill" width="' + pct.toFixed(1) + '" height="8"/></svg>' +
      '<span class="usage-text">' + formatPercent(l.usage) + of + (l.kind === 'bytes' ? '' : ' msgs') + '</span></div>';
  }).join('');
}

function isOpen(s) {
  if (state.toggled[s.name] !== undefined) return state.toggled[s.name];
  return state.view.streams.length <= 6 || s.problems.length > 0 || s.warnings.length > 0 || s.drift.length > 0;
}

function list(cls, items) {
  return items.length ? '<ul class="' + cls + '">' + items.map(function (t) { return '<li>' + esc(t) + '</li>'; }).join('') + '</ul>' : '';
}

function details(s, series) {
  var out = list('problems', s.problems) + list('warnings', s.warnings);
  if (s.drift.length) {
    out += '<table class="mini drift"><caption>Drift from the declaration</caption><tr><th>field</th><th>on the server</th><th></th><th>declared</th></tr>' +
      s.drift.map(function (d) {
        return '<tr data-field="' + esc(d.field) + '"><td class="field">' + esc(d.field) + '</td><td class="current">' + esc(formatValue(d.field, d.current)) +
          '</td><td class="arrow">→</td><td class="desired">' + esc(formatValue(d.field, d.desired)) + '</td></tr>';
      }).join('') + '</table>';
  }
  if (s.replicas) {
    out += '<div class="replicas">Leader <b>' + esc(s.replicas.leader || 'none') + '</b>' + s.replicas.peers.map(function (p) {
      return ' · ' + esc(p.name) + ' <span class="pill ' + (p.state === 'current' ? 'up' : p.state === 'lagging' ? 'degraded' : 'down') + '">' + esc(p.state) + '</span>' + (p.lag ? ' lag ' + formatCount(p.lag) : '');
    }).join('') + '</div>';
  }
  if (s.consumers.length) {
    out += '<table class="mini consumers"><caption>Declared consumers</caption><tr><th>consumer</th><th>status</th><th class="num">pending</th><th class="num">ack pending</th><th class="num">redelivered</th></tr>' +
      s.consumers.map(function (c) {
        return '<tr data-consumer="' + esc(c.name) + '"><td>' + esc(c.name) + '</td><td>' + statusPill(c.healthy ? 'up' : 'down', c.reason) + '</td><td class="num">' +
          formatCount(c.pending) + '</td><td class="num">' + formatCount(c.ackPending) + '</td><td class="num">' + formatCount(c.redelivered) + '</td></tr>';
      }).join('') + '</table>';
  }
  if (series) {
    var chart = function (key, label, format, fromZero) {
      return chartSvg({ series: key, label: label, times: state.history.t, values: series[key], format: format, color: COLORS[key], fromZero: fromZero, spanMs: 60000 });
    };
    out += '<div class="charts">' + chart('messages', 'Messages', formatCompact, false) + chart('bytes', 'Size', formatBytes, false) + chart('rate', 'Published per second', formatRate, true) + '</div>';
  } else {
    out += '<p class="muted">No history for this stream (beyond the history limit).</p>';
  }
  return out;
}

function row(s) {
  var series = state.history.streams[s.name];
  var open = isOpen(s);
  var rate = series ? lastOf(series.rate) : null;
  var subjects = s.subjects.length ? s.subjects.join(', ') : '';
  var html = '<tr class="stream ' + (open ? 'open' : '') + '" data-stream="' + esc(s.name) + '">' +
    '<td class="name"><button type="button" class="toggle" aria-expanded="' + open + '">' + esc(s.name) + '</button><div class="subjects">' + esc(subjects) + '</div></td>' +
    '<td class="status">' + statusPill(s.status, s.reason) + (s.warnings.length ? ' <span class="warn-count" title="warnings">⚠ ' + s.warnings.length + '</span>' : '') + '</td>' +
    '<td class="num messages">' + formatCount(s.messages) + '</td>' +
    '<td class="num bytes">' + formatBytes(s.bytes) + '</td>' +
    '<td class="limits">' + usageBars(s.limits) + '</td>' +
    '<td class="num consumers">' + formatCount(s.consumerCount) + '</td>' +
    '<td class="num rate">' + formatRate(rate) + '</td>' +
    '<td class="trend">' + (series ? sparkSvg(state.history.t, series.messages, COLORS.messages) : '') + '</td></tr>';
  if (open) html += '<tr class="details" data-details="' + esc(s.name) + '"><td colspan="8">' + details(s, series) + '</td></tr>';
  return html;
}

function renderBanner() {
  var v = state.view, banner = $('stale');
  var text = '';
  if (state.feedLost) text = 'Lost the connection to this page’s server. Reconnecting… The table shows what was last received.';
  else if (v && v.stale) {
    text = v.lastGoodAt
      ? 'NATS unreachable. Showing the last good snapshot, taken at ' + formatClock(Date.parse(v.lastGoodAt)) + ' (' + formatAgo(Date.now() - Date.parse(v.lastGoodAt)) + ').'
      : 'NATS unreachable. No snapshot could be taken yet.';
    if (v.error) text += ' ' + v.error;
  }
  banner.textContent = text;
  banner.hidden = !text;
  document.body.classList.toggle('is-stale', !!text);
}

function render() {
  var v = state.view;
  document.title = (v.stale ? '(stale) ' : '') + $('title').textContent;
  $('conn').innerHTML = '<span class="pill conn-' + esc(v.connection.status) + '">' + esc(v.connection.status) + '</span> ' +
    '<b>' + esc(v.connection.name) + '</b> <span class="muted">' + esc(v.connection.servers.join(', ')) + '</span>';
  var shown = v.stale ? v.lastGoodAt : v.at;
  $('updated').textContent = (shown ? (v.stale ? 'last good snapshot ' : 'snapshot ') + formatClock(Date.parse(shown)) : 'waiting for the first snapshot…') +
    ' · every ' + formatDuration(v.intervalMs * 1e6);
  var counts = { up: 0, degraded: 0, down: 0 }, messages = 0, bytes = 0;
  v.streams.forEach(function (s) { counts[s.status]++; messages += s.messages; bytes += s.bytes; });
  $('summary').innerHTML = [
    ['streams', formatCount(v.streams.length)], ['up', formatCount(counts.up)], ['degraded', formatCount(counts.degraded)],
    ['down', formatCount(counts.down)], ['messages', formatCount(messages)], ['stored', formatBytes(bytes)],
  ].map(function (c) { return '<div class="chip chip-' + c[0] + '"><span>' + c[1] + '</span>' + c[0] + '</div>'; }).join('');
  var rows = v.streams.map(row).join('');
  $('rows').innerHTML = rows || '<tr><td colspan="8" class="empty">' + (v.at ? 'No streams on this server.' : 'Waiting for the first snapshot…') + '</td></tr>';
  renderBanner();
}

document.addEventListener('click', function (e) {
  var button = e.target.closest && e.target.closest('button.toggle');
  if (!button) return;
  var name = button.closest('tr').getAttribute('data-stream');
  var s = state.view.streams.filter(function (x) { return x.name === name; })[0];
  state.toggled[name] = !isOpen(s);
  render();
});

var source = new EventSource(feedUrl);
source.onmessage = function (e) {
  var msg = JSON.parse(e.data);
  if (msg.type === 'init') state.history = msg.history;
  else if (msg.point) append(msg.point);
  state.view = msg.view;
  state.feedLost = false;
  render();
};
source.onerror = function () { state.feedLost = true; if (state.view) renderBanner(); };
setInterval(function () { if (state.view && (state.view.stale || state.feedLost)) renderBanner(); }, 1000);
`;
