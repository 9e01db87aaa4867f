/**
 * The page's formatting functions, as browser JavaScript (ES5, no modules): sizes in binary
 * units (`60.6 MiB`), counts with separators, rates, durations in nanoseconds as `7d` or `1h30m`,
 * config values by field, and times. Kept as text so the page needs no asset files and works the
 * same from the ESM and the CommonJS build; the unit spec evaluates this exact text.
 */
export const FORMAT_SCRIPT = String.raw`
var SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
var SIZE_FIELDS = { max_bytes: 1, max_msg_size: 1 };
var DURATION_FIELDS = { max_age: 1, duplicate_window: 1, subject_delete_marker_ttl: 1 };
var LIMIT_FIELDS = { max_msgs: 1, max_bytes: 1, max_msgs_per_subject: 1, max_consumers: 1, max_msg_size: 1 };

function known(n) { return typeof n === 'number' && isFinite(n); }

function formatCount(n) {
  if (!known(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

function trimmed(n, digits) { return n.toFixed(digits).replace(/\.0+$/, ''); }

function formatBytes(n) {
  if (!known(n)) return '–';
  var sign = n < 0 ? '-' : '';
  var v = Math.abs(n);
  var i = 0;
  while (v >= 1024 && i < SIZE_UNITS.length - 1) { v /= 1024; i++; }
  if (i === 0) return sign + formatCount(v) + ' B';
  return sign + (v >= 100 ? v.toFixed(0) : trimmed(v, 1)) + ' ' + SIZE_UNITS[i];
}

function formatCompact(n) {
  if (!known(n)) return '–';
  var v = Math.abs(n), sign = n < 0 ? '-' : '';
  var units = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (var i = 0; i < units.length; i++) {
    if (v >= units[i][0]) { var x = v / units[i][0]; return sign + (x >= 100 ? x.toFixed(0) : trimmed(x, 1)) + units[i][1]; }
  }
  return sign + (v >= 10 || v === 0 ? Math.round(v) : trimmed(v, 1));
}

function formatRate(r) {
  if (!known(r)) return '–';
  return formatCompact(r) + '/s';
}

function formatPercent(f) {
  if (!known(f)) return '–';
  if (f > 0 && f < 0.01) return '<1%';
  return Math.round(f * 100) + '%';
}

function formatDuration(ns) {
  if (!known(ns)) return '–';
  if (ns < 1e6) return formatCount(ns / 1e3) + 'µs';
  var ms = Math.round(ns / 1e6);
  if (ms < 1000) return ms + 'ms';
  var parts = [[86400000, 'd'], [3600000, 'h'], [60000, 'm'], [1000, 's']];
  var out = '', used = 0;
  for (var i = 0; i < parts.length && used < 2; i++) {
    var q = Math.floor(ms / parts[i][0]);
    if (q > 0) { out += q + parts[i][1]; ms -= q * parts[i][0]; used++; }
    else if (used > 0) used = 2;
  }
  return out;
}

function formatValue(field, v) {
  if (v === undefined) return 'unset';
  if (v === null) return 'none';
  if (typeof v === 'number') {
    if (v === -1 && LIMIT_FIELDS[field]) return 'unlimited';
    if (SIZE_FIELDS[field]) return formatBytes(v);
    if (DURATION_FIELDS[field]) return v === 0 && field === 'max_age' ? 'unlimited' : formatDuration(v);
    return formatCount(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every(function (x) { return typeof x === 'string'; })) return v.length ? v.join(', ') : '[]';
  return JSON.stringify(v);
}

function pad2(n) { return (n < 10 ? '0' : '') + n; }

function formatClock(t) {
  var d = new Date(t);
  return pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds());
}

function formatAgo(ms) {
  if (!known(ms) || ms < 1000) return 'just now';
  var s = Math.round(ms / 1000);
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  return trimmed(s / 3600, 1) + ' h ago';
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
  });
}
`;
