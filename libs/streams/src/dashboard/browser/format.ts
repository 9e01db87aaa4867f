/**
 * The page's formatting: sizes in binary units (`60.6 MiB`), counts with separators, rates,
 * durations in nanoseconds as `7d` or `1h30m`, config values by field, times, and HTML escaping.
 */

const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const SIZE_FIELDS = new Set(['max_bytes', 'max_msg_size']);
const DURATION_FIELDS = new Set(['max_age', 'duplicate_window', 'subject_delete_marker_ttl']);
const LIMIT_FIELDS = new Set(['max_msgs', 'max_bytes', 'max_msgs_per_subject', 'max_consumers', 'max_msg_size']);
const COMPACT_UNITS: Array<[number, string]> = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];
const DURATION_PARTS: Array<[number, string]> = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'm'],
  [1_000, 's'],
];
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function known(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

function trimmed(n: number, digits: number): string {
  return n.toFixed(digits).replace(/\.0+$/, '');
}

/** `1,234,567`; `–` for no number. */
export function formatCount(n: number | null | undefined): string {
  if (!known(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

/** Bytes in binary units: `1.5 KiB`, `60.6 MiB`. */
export function formatBytes(n: number | null | undefined): string {
  if (!known(n)) return '–';
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < SIZE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return sign + formatCount(v) + ' B';
  return `${sign}${v >= 100 ? v.toFixed(0) : trimmed(v, 1)} ${SIZE_UNITS[i]}`;
}

/** A short number for axes: `1.5k`, `2.5M`. */
export function formatCompact(n: number | null | undefined): string {
  if (!known(n)) return '–';
  const v = Math.abs(n);
  const sign = n < 0 ? '-' : '';
  for (const [size, unit] of COMPACT_UNITS) {
    if (v >= size) {
      const x = v / size;
      return sign + (x >= 100 ? x.toFixed(0) : trimmed(x, 1)) + unit;
    }
  }
  return sign + (v >= 10 || v === 0 ? String(Math.round(v)) : trimmed(v, 1));
}

/** Messages per second: `12.3k/s`. */
export function formatRate(r: number | null | undefined): string {
  if (!known(r)) return '–';
  return formatCompact(r) + '/s';
}

/** A fraction as a percentage; a tiny one as `<1%`. */
export function formatPercent(f: number | null | undefined): string {
  if (!known(f)) return '–';
  if (f > 0 && f < 0.01) return '<1%';
  return Math.round(f * 100) + '%';
}

/** Nanoseconds in at most two units: `1h30m`, `7d`, `500µs`. */
export function formatDuration(ns: number | null | undefined): string {
  if (!known(ns)) return '–';
  if (ns < 1e6) return formatCount(ns / 1e3) + 'µs';
  let ms = Math.round(ns / 1e6);
  if (ms < 1000) return ms + 'ms';
  let out = '';
  let used = 0;
  for (const [size, unit] of DURATION_PARTS) {
    if (used >= 2) break;
    const q = Math.floor(ms / size);
    if (q > 0) {
      out += q + unit;
      ms -= q * size;
      used++;
    } else if (used > 0) {
      used = 2;
    }
  }
  return out;
}

/** A config value as the field means it: sizes, durations, `unlimited`, lists. */
export function formatValue(field: string, v: unknown): string {
  if (v === undefined) return 'unset';
  if (v === null) return 'none';
  if (typeof v === 'number') {
    if (v === -1 && LIMIT_FIELDS.has(field)) return 'unlimited';
    if (SIZE_FIELDS.has(field)) return formatBytes(v);
    if (DURATION_FIELDS.has(field)) return v === 0 && field === 'max_age' ? 'unlimited' : formatDuration(v);
    return formatCount(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.length ? v.join(', ') : '[]';
  return JSON.stringify(v);
}

function pad2(n: number): string {
  return (n < 10 ? '0' : '') + n;
}

/** A local time of day: `09:05:07`. */
export function formatClock(t: number): string {
  const d = new Date(t);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** An age: `just now`, `35 s ago`, `2 min ago`, `1.5 h ago`. */
export function formatAgo(ms: number): string {
  if (!known(ms) || ms < 1000) return 'just now';
  const s = Math.round(ms / 1000);
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  return trimmed(s / 3600, 1) + ' h ago';
}

/** Text made safe for HTML, in element content and in quoted attributes. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
