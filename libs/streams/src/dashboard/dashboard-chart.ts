/**
 * The page's charts, as browser JavaScript drawing SVG text (no chart library): a line with a
 * light area under it, gaps where the stream was absent or the server unreadable, the scale at
 * the left, the time span below, and the latest value at the top right. Each chart carries
 * `data-series`, `data-points` (samples drawn) and `data-last` (latest value) for tests and tools.
 */
export const CHART_SCRIPT = String.raw`
var CHART_W = 300, CHART_H = 120, PAD_L = 50, PAD_R = 8, PAD_T = 24, PAD_B = 18;

/** Splits (t, v) pairs into runs without nulls. */
function segments(times, values) {
  var runs = [], run = [];
  for (var i = 0; i < times.length; i++) {
    if (values[i] === null || values[i] === undefined) { if (run.length) runs.push(run); run = []; }
    else run.push([times[i], values[i]]);
  }
  if (run.length) runs.push(run);
  return runs;
}

/** The y range: the values' own (counts never below 0), from 0 when asked, never empty. */
function extent(values, fromZero) {
  var lo = Infinity, hi = -Infinity;
  values.forEach(function (v) { if (v !== null && v !== undefined) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
  if (lo === Infinity) return [0, 1];
  if (fromZero) lo = Math.min(0, lo);
  if (hi === lo) { var pad = Math.max(1, Math.abs(hi) * 0.1); return [Math.max(0, lo - pad), hi + pad]; }
  return [lo, hi];
}

/**
 * One chart. opts: series (name), label, times (ms), values, format (value -> text), color,
 * fromZero (y axis starts at 0), spanMs (at least this much time is shown).
 */
function chartSvg(opts) {
  var times = opts.times, values = opts.values;
  var drawn = values.filter(function (v) { return v !== null && v !== undefined; });
  var last = drawn.length ? drawn[drawn.length - 1] : null;
  var t1 = times.length ? times[times.length - 1] : Date.now();
  var t0 = Math.min(times.length ? times[0] : t1, t1 - opts.spanMs);
  var y = extent(values, opts.fromZero);
  var w = CHART_W - PAD_L - PAD_R, h = CHART_H - PAD_T - PAD_B;
  function sx(t) { return (PAD_L + ((t - t0) / Math.max(1, t1 - t0)) * w).toFixed(1); }
  function sy(v) { return (PAD_T + h - ((v - y[0]) / (y[1] - y[0])) * h).toFixed(1); }
  var out = '<svg class="chart" viewBox="0 0 ' + CHART_W + ' ' + CHART_H + '" role="img" aria-label="' + esc(opts.label) + '"' +
    ' data-series="' + esc(opts.series) + '" data-points="' + drawn.length + '" data-last="' + (last === null ? '' : last) + '">';
  out += '<text class="c-title" x="' + PAD_L + '" y="13">' + esc(opts.label) + '</text>';
  out += '<text class="c-last" x="' + (CHART_W - PAD_R) + '" y="13" text-anchor="end" fill="' + opts.color + '">' + esc(last === null ? '–' : opts.format(last)) + '</text>';
  [0, 0.5, 1].forEach(function (f) {
    var gy = (PAD_T + h - f * h).toFixed(1);
    out += '<line class="c-grid" x1="' + PAD_L + '" x2="' + (CHART_W - PAD_R) + '" y1="' + gy + '" y2="' + gy + '"/>';
    // The scale's ends only: a middle label would be rounded (1 B between 0 B and 1 B).
    if (f !== 0.5) out += '<text class="c-axis" x="' + (PAD_L - 6) + '" y="' + gy + '" dy="3" text-anchor="end">' + esc(opts.format(y[0] + f * (y[1] - y[0]))) + '</text>';
  });
  var minutes = Math.round((t1 - t0) / 60000);
  out += '<text class="c-axis" x="' + PAD_L + '" y="' + (CHART_H - 4) + '">' + (minutes >= 1 ? '−' + minutes + ' min' : '−' + Math.round((t1 - t0) / 1000) + ' s') + '</text>';
  out += '<text class="c-axis" x="' + (CHART_W - PAD_R) + '" y="' + (CHART_H - 4) + '" text-anchor="end">now</text>';
  var base = sy(Math.max(y[0], Math.min(y[1], opts.fromZero ? 0 : y[0])));
  segments(times, values).forEach(function (run) {
    var pts = run.map(function (p) { return sx(p[0]) + ',' + sy(p[1]); });
    if (run.length === 1) {
      out += '<circle cx="' + sx(run[0][0]) + '" cy="' + sy(run[0][1]) + '" r="2" fill="' + opts.color + '"/>';
      return;
    }
    out += '<polygon class="c-area" fill="' + opts.color + '" points="' + sx(run[0][0]) + ',' + base + ' ' + pts.join(' ') + ' ' + sx(run[run.length - 1][0]) + ',' + base + '"/>';
    out += '<polyline class="c-line" stroke="' + opts.color + '" points="' + pts.join(' ') + '"/>';
  });
  return out + '</svg>';
}

/** A small line of the latest values, for the table. */
function sparkSvg(times, values, color) {
  var y = extent(values, false), W = 96, H = 24;
  var t0 = times.length ? times[0] : 0, t1 = times.length ? times[times.length - 1] : 1;
  var out = '<svg class="spark" viewBox="0 0 ' + W + ' ' + H + '" aria-hidden="true">';
  segments(times, values).forEach(function (run) {
    var pts = run.map(function (p) {
      return (((p[0] - t0) / Math.max(1, t1 - t0)) * (W - 2) + 1).toFixed(1) + ',' + (H - 2 - ((p[1] - y[0]) / (y[1] - y[0])) * (H - 4)).toFixed(1);
    });
    out += '<polyline stroke="' + color + '" points="' + pts.join(' ') + '"/>';
  });
  return out + '</svg>';
}
`;
