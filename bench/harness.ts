import { performance } from 'node:perf_hooks';
import { connect, type NatsConnection } from 'nats';

/** JetStream API request kinds the benchmark counts, by the subject token after `$JS.API.`. */
export const COUNTED_KINDS = ['STREAM.LIST', 'STREAM.NAMES', 'STREAM.INFO', 'STREAM.CREATE', 'STREAM.UPDATE'] as const;

/** Requests by kind; anything else under `$JS.API.>` is counted as `other` (e.g. `INFO`, `STREAM.DELETE`). */
export type RequestCounts = Record<(typeof COUNTED_KINDS)[number] | 'other', number>;

/** One row of `bench/results.json`. */
export interface BenchResult {
  scenario: string;
  n: number;
  /**
   * Unit of the two medians: `ms`; `µs` per call or per declaration; `MB` of heap; `kB` of body;
   * `req/s` of throughput; `requests` per run (the field names say Ms for history's sake).
   */
  unit: 'ms' | 'µs' | 'MB' | 'kB' | 'req/s' | 'requests';
  libraryMedianMs: number;
  baselineMedianMs: number;
  /** library / baseline; below 1 means the library is faster. */
  ratio: number;
  requests: { library: RequestCounts; baseline: RequestCounts };
  goal: string;
  /** `null` when the row has no goal of its own (informational). */
  met: boolean | null;
  /** The measured reason behind the verdict, and any extra figures (percentiles, heap sizes, ...). */
  notes?: string;
}

/** What one result row is given; the ratio is worked out, the unit defaults to `ms`. */
export type RowInput = Omit<BenchResult, 'ratio' | 'unit'> & { unit?: BenchResult['unit']; ratio?: number };

/** The rows of one run, in the order they were measured. */
export class Report {
  readonly results: BenchResult[] = [];

  /** Adds a row (medians rounded, ratio library / baseline unless given) and logs it. */
  row(r: RowInput): void {
    const full: BenchResult = {
      scenario: r.scenario,
      n: r.n,
      unit: r.unit ?? 'ms',
      libraryMedianMs: round(r.libraryMedianMs),
      baselineMedianMs: round(r.baselineMedianMs),
      ratio: round(r.ratio ?? r.libraryMedianMs / r.baselineMedianMs),
      requests: r.requests,
      goal: r.goal,
      met: r.met,
      ...(r.notes ? { notes: r.notes } : {}),
    };
    this.results.push(full);
    log(
      `${full.scenario} n=${full.n}: ${fmtMs(full.libraryMedianMs, full.unit)} vs ${fmtMs(full.baselineMedianMs, full.unit)} (${full.ratio}x) met=${full.met}`,
    );
  }

  /** Adds a failed row for a scenario that threw. */
  fail(scenario: string, n: number, goal: string, err: unknown): void {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    log(`${scenario} n=${n} FAILED: ${message}`);
    this.results.push({
      scenario,
      n,
      unit: 'ms',
      libraryMedianMs: NaN,
      baselineMedianMs: NaN,
      ratio: NaN,
      requests: { library: emptyCounts(), baseline: emptyCounts() },
      goal,
      met: false,
      notes: `scenario failed: ${message}`,
    });
  }
}

export function emptyCounts(): RequestCounts {
  return { 'STREAM.LIST': 0, 'STREAM.NAMES': 0, 'STREAM.INFO': 0, 'STREAM.CREATE': 0, 'STREAM.UPDATE': 0, other: 0 };
}

export function totalRequests(c: RequestCounts): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

export function writes(c: RequestCounts): number {
  return c['STREAM.CREATE'] + c['STREAM.UPDATE'];
}

/**
 * Counts JetStream API requests from every client of the server, on a connection of its own
 * subscribed to `$JS.API.>`. Runs are sequential, so the difference of two snapshots taken around
 * a run is what that run asked.
 */
export class ApiCounter {
  private readonly counts = emptyCounts();
  private constructor(private readonly nc: NatsConnection) {}

  static async start(url: string): Promise<ApiCounter> {
    const nc = await connect({ servers: url, name: 'bench-api-counter' });
    const counter = new ApiCounter(nc);
    // A callback, not an async iterator: it counts as each message is parsed, so a count
    // taken after a flush includes everything delivered before the flush's PONG.
    nc.subscribe('$JS.API.>', { callback: (_err, msg) => counter.count(msg.subject) });
    await nc.flush();
    return counter;
  }

  private count(subject: string): void {
    const kind = subject.slice('$JS.API.'.length);
    const match = COUNTED_KINDS.find((k) => kind === k || kind.startsWith(`${k}.`));
    this.counts[match ?? 'other'] += 1;
  }

  /**
   * The counts so far. The flush is a round trip on the counting connection: every request the
   * server handled before it has been delivered to us by then.
   */
  async snapshot(): Promise<RequestCounts> {
    await this.nc.flush();
    return { ...this.counts };
  }

  /**
   * Runs `fn` and returns its result, its duration, the CPU time this process spent meanwhile (the
   * client's work: the server runs in a process of its own) and the requests it made.
   */
  async measure<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number; requests: RequestCounts }> {
    const before = await this.snapshot();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const value = await fn();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const after = await this.snapshot();
    return { value, ms, cpuMs: (cpu.user + cpu.system) / 1000, requests: diffCounts(after, before) };
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}

export function diffCounts(a: RequestCounts, b: RequestCounts): RequestCounts {
  const out = emptyCounts();
  for (const k of Object.keys(out) as Array<keyof RequestCounts>) out[k] = a[k] - b[k];
  return out;
}

/** The per-kind median of several runs' counts (runs of one side normally ask the same). */
export function medianCounts(all: RequestCounts[]): RequestCounts {
  const out = emptyCounts();
  for (const k of Object.keys(out) as Array<keyof RequestCounts>) out[k] = median(all.map((c) => c[k]));
  return out;
}

export function maxCounts(all: RequestCounts[]): RequestCounts {
  const out = emptyCounts();
  for (const k of Object.keys(out) as Array<keyof RequestCounts>) out[k] = Math.max(0, ...all.map((c) => c[k]));
  return out;
}

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** One side of a comparison: what each of its runs cost. */
export interface Side {
  ms: number[];
  /** CPU time of this process per run, ms (less disturbed by other processes than wall time). */
  cpuMs: number[];
  requests: RequestCounts[];
}

/**
 * Runs every side once per repetition, `reps` times, rotating which side goes first so none
 * always runs on a warmer (or busier) server; `before` runs untimed and uncounted ahead of each run.
 */
export async function alternate<K extends string>(
  counter: ApiCounter,
  reps: number,
  sides: Record<K, () => Promise<unknown>>,
  before: (side: K, rep: number) => Promise<void> = async () => {},
): Promise<Record<K, Side>> {
  const names = Object.keys(sides) as K[];
  const out = Object.fromEntries(names.map((k) => [k, { ms: [], cpuMs: [], requests: [] }])) as unknown as Record<K, Side>;
  for (let rep = 0; rep < reps; rep++) {
    const order = names.map((_, i) => names[(i + rep) % names.length]);
    for (const side of order) {
      await before(side, rep);
      const r = await counter.measure(sides[side]);
      out[side].ms.push(r.ms);
      out[side].cpuMs.push(r.cpuMs);
      out[side].requests.push(r.requests);
    }
  }
  return out;
}

/** "client CPU per run: library x ms, raw y ms (z×)" for the notes, from two sides' medians. */
export function cpuNote(library: Side, baseline: Side, label = 'raw'): string {
  const lib = median(library.cpuMs);
  const base = median(baseline.cpuMs);
  return `client CPU per run (median): library ${lib.toFixed(2)} ms, ${label} ${base.toFixed(2)} ms (${(lib / base).toFixed(2)}x).`;
}

export function formatCounts(c: RequestCounts): string {
  const parts = Object.entries(c)
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k.replace('STREAM.', '')}:${v}`);
  return parts.length ? parts.join(' ') : '0';
}

/** The console table of all results. */
export function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => ({
    scenario: r.scenario,
    n: String(r.n),
    library: fmtMs(r.libraryMedianMs, r.unit),
    baseline: fmtMs(r.baselineMedianMs, r.unit),
    ratio: Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}x` : '-',
    'req lib': formatCounts(r.requests.library),
    'req base': formatCounts(r.requests.baseline),
    goal: r.goal,
    met: r.met === null ? 'info' : r.met ? 'yes' : 'NO',
  }));
  const cols = Object.keys(rows[0] ?? {}) as Array<keyof (typeof rows)[number]>;
  const width = (c: (typeof cols)[number]) => Math.max(c.length, ...rows.map((r) => r[c].length));
  const line = (cells: string[]) => cells.map((v, i) => v.padEnd(width(cols[i]))).join(' | ');
  console.log(line(cols));
  console.log(cols.map((c) => '-'.repeat(width(c))).join('-|-'));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
  for (const r of results) if (r.notes) console.log(`  [${r.scenario} n=${r.n}] ${r.notes}`);
}

/** A median in its unit, as the table shows it. */
export function fmtMs(ms: number, unit: BenchResult['unit']): string {
  if (!Number.isFinite(ms)) return '-';
  if (unit === 'MB') return `${ms.toFixed(2)} MB`;
  if (unit === 'kB') return `${ms.toFixed(2)} kB`;
  if (unit === 'µs') return `${ms.toFixed(2)} µs`;
  if (unit === 'req/s') return `${ms.toFixed(0)} req/s`;
  if (unit === 'requests') return `${ms} req`;
  return ms < 1 ? `${ms.toFixed(3)} ms` : `${ms.toFixed(1)} ms`;
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
