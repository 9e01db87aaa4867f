/**
 * The benchmark suite: the library against the raw `nats` client (and the naive approach), in one
 * process, against one local JetStream server started here. See bench/README.md.
 *
 *   npm run bench              N = 100 and 1000, full repetitions
 *   npm run bench -- --quick   N = 100, fewer repetitions (under a minute)
 *   npm run bench -- --n=300   any list of N (comma-separated)
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { StreamMonitor, StreamService, type StreamDeclaration } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, type JetStreamManager, type NatsConnection, type StreamConfig } from 'nats';
import { firstValueFrom } from 'rxjs';
import {
  alternate,
  ApiCounter,
  type BenchResult,
  log,
  maxCounts,
  median,
  medianCounts,
  percentile,
  printTable,
  type RequestCounts,
  round,
  totalRequests,
  writes,
} from './harness.js';
import { createStreams, declarations, deleteAllStreams, rawConfig, rawMatches, startContext, startHttpApp } from './fixtures.js';
import { loadInChild } from './http-load.js';

const here = dirname(fileURLToPath(import.meta.url));
/** bench/ in the source tree (the compiled file lives in bench/.tmp/dist/bench/). */
const benchDir = resolve(here, '../../../');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const nArg = args.find((a) => a.startsWith('--n='));
const NS = nArg ? nArg.slice(4).split(',').map(Number) : quick ? [100] : [100, 1000];
const REPS = quick
  ? { fast: 5, cold: 3, single: 40, http: 2, memory: 2 }
  : { fast: 9, cold: 3, single: 150, http: 3, memory: 3 };
const HTTP_REQUESTS = 1000;
const HTTP_CONCURRENCY = 50;
/** Monitor interval of the /health app; short, so one load run spans several intervals. */
const HEALTH_MONITOR_INTERVAL_MS = 1000;
const PAGE = 256;

interface Env {
  server: NatsTestServer;
  url: string;
  nc: NatsConnection;
  jsm: JetStreamManager;
  counter: ApiCounter;
}

const results: BenchResult[] = [];

function row(r: Omit<BenchResult, 'ratio' | 'unit'> & { unit?: BenchResult['unit'] }): void {
  const full: BenchResult = {
    scenario: r.scenario,
    n: r.n,
    unit: r.unit ?? 'ms',
    libraryMedianMs: round(r.libraryMedianMs),
    baselineMedianMs: round(r.baselineMedianMs),
    ratio: round(r.libraryMedianMs / r.baselineMedianMs),
    requests: r.requests,
    goal: r.goal,
    met: r.met,
    ...(r.notes ? { notes: r.notes } : {}),
  };
  results.push(full);
  log(`${full.scenario} n=${full.n}: ${full.libraryMedianMs} vs ${full.baselineMedianMs} ${full.unit} (${full.ratio}x) met=${full.met}`);
}

function fail(scenario: string, n: number, goal: string, err: unknown): void {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  log(`${scenario} n=${n} FAILED: ${message}`);
  const zero = { 'STREAM.LIST': 0, 'STREAM.NAMES': 0, 'STREAM.INFO': 0, 'STREAM.CREATE': 0, 'STREAM.UPDATE': 0, other: 0 };
  results.push({
    scenario,
    n,
    unit: 'ms',
    libraryMedianMs: NaN,
    baselineMedianMs: NaN,
    ratio: NaN,
    requests: { library: zero, baseline: zero },
    goal,
    met: false,
    notes: `scenario failed: ${message}`,
  });
}

const pages = (n: number) => Math.ceil(n / PAGE);
const sameCounts = (all: RequestCounts[]) => all.every((c) => JSON.stringify(c) === JSON.stringify(all[0]));
const countsNote = (label: string, all: RequestCounts[]) =>
  sameCounts(all) ? '' : ` ${label} requests varied between runs (max ${JSON.stringify(maxCounts(all))}).`;

/** 1. converged start-up: every declared stream already matches. */
async function converged(env: Env, n: number): Promise<void> {
  const goalRaw = '<= 1.5x raw paginated list, 0 writes';
  const goalNaive = n >= 1000 ? '>= 10x faster than naive (ratio <= 0.1)' : 'info (10x goal is at N=1000)';
  try {
    const decls = declarations(`c${n}`, n);
    const app = await startContext({ connection: { servers: env.url } });
    try {
      const svc = app.get(StreamService);
      await svc.ensureStreams(decls);
      const wants = decls.map(rawConfig);
      const sides = {
        library: async () => {
          const res = await svc.ensureStreams(decls);
          const changed = res.filter((r) => r.action !== 'unchanged');
          if (changed.length) throw new Error(`library saw ${changed.length} streams as not converged, e.g. ${changed[0].name} ${changed[0].action}`);
        },
        raw: async () => {
          const byName = new Map<string, StreamConfig>();
          for await (const info of env.jsm.streams.list()) byName.set(info.config.name, info.config);
          const stale = wants.filter((w) => !rawMatches(w, byName.get(w.name!)));
          if (stale.length) throw new Error(`raw compare saw ${stale.length} streams as different`);
        },
        naive: async () => {
          for (const w of wants) {
            const info = await env.jsm.streams.info(w.name!);
            if (!rawMatches(w, info.config)) throw new Error(`naive compare saw ${w.name} as different`);
          }
        },
      };
      await alternate(env.counter, 1, sides); // warm-up, discarded
      const runs = await alternate(env.counter, REPS.fast, sides);
      const lib = medianCounts(runs.library.requests);
      const libMax = maxCounts(runs.library.requests);
      const libMs = median(runs.library.ms);
      const rawMs = median(runs.raw.ms);
      const naiveMs = median(runs.naive.ms);
      const ratioRaw = libMs / rawMs;
      row({
        scenario: '1 converged start-up vs raw list+compare',
        n,
        libraryMedianMs: libMs,
        baselineMedianMs: rawMs,
        requests: { library: lib, baseline: medianCounts(runs.raw.requests) },
        goal: goalRaw,
        met: ratioRaw <= 1.5 && writes(libMax) === 0,
        notes: `library writes (max over runs): ${writes(libMax)}; pages per list: ${pages(n)}.${countsNote('library', runs.library.requests)}`,
      });
      const ratioNaive = libMs / naiveMs;
      row({
        scenario: '1 converged start-up vs naive info-per-stream',
        n,
        libraryMedianMs: libMs,
        baselineMedianMs: naiveMs,
        requests: { library: lib, baseline: medianCounts(runs.naive.requests) },
        goal: goalNaive,
        met: n >= 1000 ? ratioNaive <= 0.1 && writes(libMax) === 0 : null,
        notes: `library is ${(naiveMs / libMs).toFixed(1)}x faster than the naive sequential loop.`,
      });
    } finally {
      await app.close();
    }
  } catch (err) {
    fail('1 converged start-up', n, goalRaw, err);
  }
}

/** 2. cold start-up: none of the declared streams exists. */
async function cold(env: Env, n: number): Promise<void> {
  const goal = '<= 1.15x raw add loop';
  try {
    const decls = declarations(`w${n}`, n);
    const app = await startContext({ connection: { servers: env.url } });
    try {
      const svc = app.get(StreamService);
      const sides = {
        library: async (list: StreamDeclaration[]) => {
          const res = await svc.ensureStreams(list);
          const notCreated = res.filter((r) => r.action !== 'created');
          if (notCreated.length) throw new Error(`${notCreated.length} streams not created, e.g. ${notCreated[0].name} ${notCreated[0].action}`);
        },
        raw: async (list: StreamDeclaration[]) => {
          for (const d of list) await env.jsm.streams.add(rawConfig(d));
        },
      };
      const warm = declarations(`warm${n}`, Math.min(n, 20));
      await alternate(env.counter, 1, { library: () => sides.library(warm), raw: () => sides.raw(warm) }, () => deleteAllStreams(env.jsm));
      const runs = await alternate(
        env.counter,
        REPS.cold,
        { library: () => sides.library(decls), raw: () => sides.raw(decls) },
        () => deleteAllStreams(env.jsm),
      );
      const libMs = median(runs.library.ms);
      const rawMs = median(runs.raw.ms);
      row({
        scenario: '2 cold start-up vs raw add loop',
        n,
        libraryMedianMs: libMs,
        baselineMedianMs: rawMs,
        requests: { library: medianCounts(runs.library.requests), baseline: medianCounts(runs.raw.requests) },
        goal,
        met: libMs / rawMs <= 1.15,
        notes:
          `per stream: library ${(libMs / n).toFixed(2)} ms, raw ${(rawMs / n).toFixed(2)} ms; ` +
          `runs library [${runs.library.ms.map((x) => x.toFixed(0)).join(', ')}] raw [${runs.raw.ms.map((x) => x.toFixed(0)).join(', ')}] ms.` +
          countsNote('library', runs.library.requests),
      });
    } finally {
      await app.close();
    }
  } catch (err) {
    fail('2 cold start-up', n, goal, err);
  }
}

/** 3. single ensure of one matching stream, with a cold and with a warm info cache. */
async function single(env: Env, n: number): Promise<void> {
  const goal = '<= 1.2x raw streams.info';
  try {
    const decls = declarations(`c${n}`, n);
    // A fresh app: its info cache is empty, so the first ensure of each stream is a miss.
    const app = await startContext({ connection: { servers: env.url } });
    try {
      const svc = app.get(StreamService);
      const count = Math.min(n - 5, REPS.single);
      const lib = async (d: StreamDeclaration) => {
        const r = await svc.ensureStream(d.name, d.subjects ?? []);
        if (r.action !== 'unchanged') throw new Error(`${d.name}: ${r.action}`);
      };
      const raw = async (d: StreamDeclaration) => {
        await env.jsm.streams.info(d.name);
      };
      for (const d of decls.slice(0, 5)) {
        await lib(d); // warm-up on streams not measured
        await raw(d);
      }
      const measured = decls.slice(5, 5 + count);
      const sample = { cold: [] as number[], warm: [] as number[], raw: [] as number[] };
      const req = { cold: [] as RequestCounts[], warm: [] as RequestCounts[], raw: [] as RequestCounts[] };
      for (const target of ['cold', 'warm'] as const) {
        for (const [i, d] of measured.entries()) {
          const order = i % 2 === 0 ? (['lib', 'raw'] as const) : (['raw', 'lib'] as const);
          for (const side of order) {
            const r = await env.counter.measure(() => (side === 'lib' ? lib(d) : raw(d)));
            const key = side === 'lib' ? target : 'raw';
            sample[key].push(r.ms);
            req[key].push(r.requests);
          }
        }
      }
      // The info cache itself, read the way getStreamInfo does (ensureStream may bypass it).
      const infoMs: number[] = [];
      const infoReq: RequestCounts[] = [];
      for (const d of measured) {
        const r = await env.counter.measure(() => svc.getStreamInfo(d.name));
        infoMs.push(r.ms);
        infoReq.push(r.requests);
      }
      const rawMs = median(sample.raw);
      const coldMs = median(sample.cold);
      const warmMs = median(sample.warm);
      row({
        scenario: '3 single ensure (cold cache) vs raw info',
        n,
        libraryMedianMs: coldMs,
        baselineMedianMs: rawMs,
        requests: { library: medianCounts(req.cold), baseline: medianCounts(req.raw) },
        goal,
        met: coldMs / rawMs <= 1.2,
        notes:
          `${count} calls per side; p90 library ${percentile(sample.cold, 90).toFixed(3)} ms, raw ${percentile(sample.raw, 90).toFixed(3)} ms.` +
          countsNote('library', req.cold),
      });
      const warmMax = totalRequests(maxCounts(req.warm));
      row({
        scenario: '3 single ensure (warm cache) vs raw info',
        n,
        libraryMedianMs: warmMs,
        baselineMedianMs: rawMs,
        requests: { library: medianCounts(req.warm), baseline: medianCounts(req.raw) },
        goal: '0 requests with a warm cache',
        met: warmMax === 0,
        notes:
          `max requests of one warm ensureStream: ${warmMax}; getStreamInfo on the same warm streams: median ` +
          `${median(infoMs).toFixed(3)} ms, ${totalRequests(maxCounts(infoReq))} requests max.`,
      });
    } finally {
      await app.close();
    }
  } catch (err) {
    fail('3 single ensure', n, goal, err);
  }
}

/** 4. one monitor tick, and 5. /health under load, on the same HTTP app declaring the N streams. */
async function monitorAndHealth(env: Env, n: number): Promise<void> {
  const decls = declarations(`c${n}`, n);
  let started: Awaited<ReturnType<typeof startHttpApp>> | undefined;
  try {
    started = await startHttpApp({
      connection: { servers: env.url },
      streams: decls,
      monitorIntervalMs: HEALTH_MONITOR_INTERVAL_MS,
    });
  } catch (err) {
    fail('4 monitor tick', n, 'app start', err);
    fail('5 /health under load', n, 'app start', err);
    return;
  }
  const { app, baseUrl } = started;
  try {
    await monitorTick(env, n, app.get(StreamMonitor));
    await healthLoad(env, n, baseUrl);
  } finally {
    await app.close();
  }
}

async function monitorTick(env: Env, n: number, monitor: StreamMonitor): Promise<void> {
  const goal = `<= ${pages(n)} requests/tick, <= 1.3x raw list`;
  const TICK_INTERVAL_MS = 100;
  try {
    let seen = 0;
    const sides = {
      library: async () => {
        const snap = await firstValueFrom(monitor.snapshots(TICK_INTERVAL_MS));
        if (snap.error) throw new Error(`snapshot error: ${snap.error}`);
        seen = Object.keys(snap.streams).length;
      },
      raw: async () => {
        const infos = [];
        for await (const info of env.jsm.streams.list()) infos.push(info);
        if (infos.length !== n) throw new Error(`raw list saw ${infos.length} streams`);
      },
    };
    // A tick reads anew only when the shared snapshot is older than half the interval.
    const before = async (side: string) => {
      if (side === 'library') await sleep(TICK_INTERVAL_MS);
    };
    await alternate(env.counter, 1, sides, before);
    const runs = await alternate(env.counter, REPS.fast, sides, before);
    const libMs = median(runs.library.ms);
    const rawMs = median(runs.raw.ms);
    const maxReq = totalRequests(maxCounts(runs.library.requests));
    row({
      scenario: '4 monitor tick vs raw paginated list',
      n,
      libraryMedianMs: libMs,
      baselineMedianMs: rawMs,
      requests: { library: medianCounts(runs.library.requests), baseline: medianCounts(runs.raw.requests) },
      goal,
      met: maxReq <= pages(n) && libMs / rawMs <= 1.3,
      notes: `max requests in one tick: ${maxReq} (allowed ${pages(n)}); ${seen} streams in the snapshot.`,
    });
  } catch (err) {
    fail('4 monitor tick', n, goal, err);
  }
}

async function healthLoad(env: Env, n: number, baseUrl: string): Promise<void> {
  const goal = `<= 1 list (${pages(n)} pages) per ${HEALTH_MONITOR_INTERVAL_MS} ms interval`;
  try {
    const latencies = { library: [] as number[], baseline: [] as number[] };
    const runsMeta: Array<{ side: string; durationMs: number; statuses: Record<number, number>; bodyBytes: number }> = [];
    const sides = {
      library: async () => {
        const r = await loadInChild(`${baseUrl}/health`, HTTP_REQUESTS, HTTP_CONCURRENCY);
        latencies.library.push(...r.latencies);
        runsMeta.push({ side: 'library', ...r });
      },
      baseline: async () => {
        const r = await loadInChild(`${baseUrl}/health/baseline`, HTTP_REQUESTS, HTTP_CONCURRENCY);
        latencies.baseline.push(...r.latencies);
        runsMeta.push({ side: 'baseline', ...r });
      },
    };
    await loadInChild(`${baseUrl}/health`, 200, 10); // warm-up
    await loadInChild(`${baseUrl}/health/baseline`, 200, 10);
    const runs = await alternate(env.counter, REPS.http, sides);
    const libRuns = runsMeta.filter((m) => m.side === 'library');
    // One read per interval the run touched: a run of D ms touches at most floor(D / I) + 1 intervals.
    let within = true;
    const perRun = runs.library.requests.map((c, i) => {
      const allowed = pages(n) * (Math.floor(libRuns[i].durationMs / HEALTH_MONITOR_INTERVAL_MS) + 1);
      const other = totalRequests(c) - c['STREAM.LIST'];
      if (c['STREAM.LIST'] > allowed || other > 0) within = false;
      return `${c['STREAM.LIST']} lists/${allowed} allowed in ${libRuns[i].durationMs.toFixed(0)} ms`;
    });
    const rps = (side: string) =>
      (HTTP_REQUESTS / (median(runsMeta.filter((m) => m.side === side).map((m) => m.durationMs)) / 1000)).toFixed(0);
    const non200 = runsMeta.filter((m) => Object.keys(m.statuses).some((s) => s !== '200'));
    const p = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} / p90 ${percentile(xs, 90).toFixed(1)} / p99 ${percentile(xs, 99).toFixed(1)} ms`;
    row({
      scenario: '5 /health under load (p50 latency) vs terminus with no indicator',
      n,
      libraryMedianMs: percentile(latencies.library, 50),
      baselineMedianMs: percentile(latencies.baseline, 50),
      requests: { library: medianCounts(runs.library.requests), baseline: medianCounts(runs.baseline.requests) },
      goal,
      met: within && non200.length === 0,
      notes:
        `${HTTP_REQUESTS} requests x ${REPS.http} runs at concurrency ${HTTP_CONCURRENCY} (client in a child process); /health ${p(latencies.library)}; ` +
        `baseline ${p(latencies.baseline)}; /health body ${libRuns[0]?.bodyBytes ?? 0} bytes; ` +
        `throughput ${rps('library')} req/s vs ${rps('baseline')} req/s; ` +
        `JetStream requests per run: ${perRun.join('; ')}.` +
        (non200.length ? ` Non-200 answers: ${JSON.stringify(non200.map((m) => m.statuses))}.` : ''),
    });
  } catch (err) {
    fail('5 /health under load', n, goal, err);
  }
}

/** 6. heap held by the module with N streams cached and monitored, each run in a fresh process. */
async function memory(env: Env, n: number): Promise<void> {
  const goal = '< 10 MB heap';
  try {
    const child = join(here, 'memory-child.js');
    const measureOne = async (mode: 'library' | 'raw') => {
      const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', child, mode, env.url, `c${n}`, String(n)], {
        maxBuffer: 1 << 20,
      });
      const line = stdout.trim().split('\n').pop() ?? '';
      return JSON.parse(line) as { deltaBytes: number; detail: string };
    };
    const mb = { library: [] as number[], raw: [] as number[] };
    let detail = '';
    const runs = await alternate(env.counter, REPS.memory, {
      library: async () => {
        const r = await measureOne('library');
        mb.library.push(r.deltaBytes / 2 ** 20);
        detail = r.detail;
      },
      raw: async () => {
        mb.raw.push((await measureOne('raw')).deltaBytes / 2 ** 20);
      },
    });
    const libMb = median(mb.library);
    row({
      scenario: '6 memory (heap delta) vs raw connection + infos',
      n,
      unit: 'MB',
      libraryMedianMs: libMb,
      baselineMedianMs: median(mb.raw),
      requests: { library: medianCounts(runs.library.requests), baseline: medianCounts(runs.raw.requests) },
      goal,
      met: libMb < 10,
      notes:
        `heap deltas after gc, library [${mb.library.map((x) => x.toFixed(2)).join(', ')}] MB, ` +
        `raw [${mb.raw.map((x) => x.toFixed(2)).join(', ')}] MB; ${detail}; library includes Nest's container, the connection, ` +
        `the info cache and two monitor snapshots (requests include its start-up ensure).`,
    });
  } catch (err) {
    fail('6 memory', n, goal, err);
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url, name: 'bench-raw' });
  const jsm = await nc.jetstreamManager();
  const counter = await ApiCounter.start(server.url);
  const env: Env = { server, url: server.url, nc, jsm, counter };
  log(`nats-server ${server.version} at ${server.url}; node ${process.version}; ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}; ` +
    `mode ${quick ? 'quick' : 'full'}; N = ${NS.join(', ')}`);
  try {
    for (const n of NS) {
      await deleteAllStreams(jsm);
      log(`N = ${n}: creating ${n} streams`);
      await createStreams(jsm, declarations(`c${n}`, n));
      await converged(env, n);
      await single(env, n);
      await monitorAndHealth(env, n);
      await memory(env, n);
      await cold(env, n);
      await deleteAllStreams(jsm);
    }
  } finally {
    await counter.close();
    await nc.close();
    await server.dispose();
  }
  results.sort((a, b) => a.scenario.localeCompare(b.scenario, 'en', { numeric: true }) || a.n - b.n);
  const out = join(benchDir, 'results.json');
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log('');
  printTable(results);
  const met = results.filter((r) => r.met === true).length;
  const missed = results.filter((r) => r.met === false);
  console.log(`\n${met} goals met, ${missed.length} missed${missed.length ? `: ${missed.map((r) => `${r.scenario} (n=${r.n})`).join('; ')}` : ''}.`);
  console.log(`Results written to ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
}

await main();
