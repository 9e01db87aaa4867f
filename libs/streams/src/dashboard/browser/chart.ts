/**
 * The page's charts, drawn as SVG text (no chart library): a line with a light area under it,
 * gaps where the stream was absent or the server unreadable, the scale at the left, the time
 * span below, and the latest value at the top right. Each chart carries `data-series`,
 * `data-points` (samples drawn) and `data-last` (latest value) for tests and tools.
 */
import { esc } from './format.js';

const CHART_W = 300;
const CHART_H = 120;
const PAD_L = 50;
const PAD_R = 8;
const PAD_T = 24;
const PAD_B = 18;

type Value = number | null | undefined;

/** What one chart shows. */
export interface ChartOptions {
  /** The series' name, in `data-series`. */
  series: string;
  label: string;
  /** Sample times, ms. */
  times: number[];
  values: Value[];
  format: (value: number) => string;
  color: string;
  /** Whether the y axis starts at 0. */
  fromZero: boolean;
  /** At least this much time is shown, ms. */
  spanMs: number;
}

/** Splits (t, v) pairs into runs without gaps. */
function segments(times: number[], values: Value[]): Array<Array<[number, number]>> {
  const runs: Array<Array<[number, number]>> = [];
  let run: Array<[number, number]> = [];
  times.forEach((t, i) => {
    const v = values[i];
    if (v === null || v === undefined) {
      if (run.length) runs.push(run);
      run = [];
    } else {
      run.push([t, v]);
    }
  });
  if (run.length) runs.push(run);
  return runs;
}

/** The y range: the values' own (counts never below 0), from 0 when asked, never empty. */
function extent(values: Value[], fromZero: boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo === Infinity) return [0, 1];
  if (fromZero) lo = Math.min(0, lo);
  if (hi === lo) {
    const pad = Math.max(1, Math.abs(hi) * 0.1);
    return [Math.max(0, lo - pad), hi + pad];
  }
  return [lo, hi];
}

/** One chart, as SVG text. */
export function chartSvg(opts: ChartOptions): string {
  const { times, values } = opts;
  const drawn = values.filter((v): v is number => v !== null && v !== undefined);
  const last = drawn.length ? drawn[drawn.length - 1] : null;
  const t1 = times.length ? times[times.length - 1] : Date.now();
  const t0 = Math.min(times.length ? times[0] : t1, t1 - opts.spanMs);
  const y = extent(values, opts.fromZero);
  const w = CHART_W - PAD_L - PAD_R;
  const h = CHART_H - PAD_T - PAD_B;
  const sx = (t: number) => (PAD_L + ((t - t0) / Math.max(1, t1 - t0)) * w).toFixed(1);
  const sy = (v: number) => (PAD_T + h - ((v - y[0]) / (y[1] - y[0])) * h).toFixed(1);
  let out =
    `<svg class="chart" viewBox="0 0 ${CHART_W} ${CHART_H}" role="img" aria-label="${esc(opts.label)}"` +
    ` data-series="${esc(opts.series)}" data-points="${drawn.length}" data-last="${last === null ? '' : last}">`;
  out += `<text class="c-title" x="${PAD_L}" y="13">${esc(opts.label)}</text>`;
  out += `<text class="c-last" x="${CHART_W - PAD_R}" y="13" text-anchor="end" fill="${opts.color}">${esc(last === null ? '–' : opts.format(last))}</text>`;
  for (const f of [0, 0.5, 1]) {
    const gy = (PAD_T + h - f * h).toFixed(1);
    out += `<line class="c-grid" x1="${PAD_L}" x2="${CHART_W - PAD_R}" y1="${gy}" y2="${gy}"/>`;
    // The scale's ends only: a middle label would be rounded (1 B between 0 B and 1 B).
    if (f !== 0.5) {
      out += `<text class="c-axis" x="${PAD_L - 6}" y="${gy}" dy="3" text-anchor="end">${esc(opts.format(y[0] + f * (y[1] - y[0])))}</text>`;
    }
  }
  const minutes = Math.round((t1 - t0) / 60_000);
  const span = minutes >= 1 ? `−${minutes} min` : `−${Math.round((t1 - t0) / 1000)} s`;
  out += `<text class="c-axis" x="${PAD_L}" y="${CHART_H - 4}">${span}</text>`;
  out += `<text class="c-axis" x="${CHART_W - PAD_R}" y="${CHART_H - 4}" text-anchor="end">now</text>`;
  const base = sy(Math.max(y[0], Math.min(y[1], opts.fromZero ? 0 : y[0])));
  for (const run of segments(times, values)) {
    if (run.length === 1) {
      out += `<circle cx="${sx(run[0][0])}" cy="${sy(run[0][1])}" r="2" fill="${opts.color}"/>`;
      continue;
    }
    const pts = run.map(([t, v]) => `${sx(t)},${sy(v)}`).join(' ');
    out += `<polygon class="c-area" fill="${opts.color}" points="${sx(run[0][0])},${base} ${pts} ${sx(run[run.length - 1][0])},${base}"/>`;
    out += `<polyline class="c-line" stroke="${opts.color}" points="${pts}"/>`;
  }
  return out + '</svg>';
}

/** A small line of the latest values, for the table. */
export function sparkSvg(times: number[], values: Value[], color: string): string {
  const y = extent(values, false);
  const W = 96;
  const H = 24;
  const t0 = times.length ? times[0] : 0;
  const t1 = times.length ? times[times.length - 1] : 1;
  let out = `<svg class="spark" viewBox="0 0 ${W} ${H}" aria-hidden="true">`;
  for (const run of segments(times, values)) {
    const pts = run.map(
      ([t, v]) =>
        `${(((t - t0) / Math.max(1, t1 - t0)) * (W - 2) + 1).toFixed(1)},${(H - 2 - ((v - y[0]) / (y[1] - y[0])) * (H - 4)).toFixed(1)}`,
    );
    out += `<polyline stroke="${color}" points="${pts.join(' ')}"/>`;
  }
  return out + '</svg>';
}
