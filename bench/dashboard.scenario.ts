import { get, type ClientRequest } from 'node:http';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StreamsModule } from '@app/streams';
import { StreamsDashboardModule } from '@app/streams/dashboard';
import type { BenchEnv } from './bench-env.js';
import { declarations } from './fixtures.js';
import { emptyCounts, median } from './harness.js';

/** The app's monitor interval here (short, to fill the recent history quickly) and the default one the rates are stated at. */
const INTERVAL_MS = 500;
const DEFAULT_INTERVAL_MS = 5_000;
/** Pages opened at once. */
const PAGES = 30;
/** Ticks measured per case (idle, busy). */
const TICKS = 8;

/** An open feed: the raw bytes of each event as they come. */
interface Feed {
  sizes: number[];
  req: ClientRequest;
  first: Promise<number>;
}

function open(url: string): Feed {
  const sizes: number[] = [];
  let pending = '';
  let resolveFirst!: (bytes: number) => void;
  const first = new Promise<number>((resolve) => (resolveFirst = resolve));
  const req = get(url, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      pending += chunk;
      let end: number;
      while ((end = pending.indexOf('\n\n')) >= 0) {
        const event = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (!event.includes('data:')) continue;
        sizes.push(Buffer.byteLength(event) + 2);
        if (sizes.length === 1) resolveFirst(sizes[0]);
      }
    });
  });
  req.on('error', () => undefined);
  return { sizes, req, first };
}

/** A stream's history from the dashboard (no samples while it has none yet: a 404). */
async function json(url: string): Promise<{ t: number[] }> {
  const res = await fetch(url);
  return res.ok ? ((await res.json()) as { t: number[] }) : { t: [] };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * 8. The dashboard of an app with N declared streams (history of 1 minute at a 500 ms monitor
 * interval, so the recent part a new page gets is full): the first event's size, the events'
 * bytes per snapshot idle and with 10 % of the streams publishing (stated per second at the
 * default 5 s interval), one stream's whole history, and the app's heap and RSS growth while
 * 30 pages open at once. No raw equivalent exists: the baseline column is what the feed sent
 * per event before this design, the whole state (every view and sample), measured from the same
 * first event and histories.
 */
export async function dashboardFeed(env: BenchEnv, n: number): Promise<void> {
  const goal = 'info: first event, bytes per page, 30 pages at once (absolute; no raw equivalent)';
  const requests = { library: emptyCounts(), baseline: emptyCounts() };
  @Module({
    imports: [
      StreamsModule.forRoot({ connection: { servers: env.url }, streams: declarations(`c${n}`, n), monitorIntervalMs: INTERVAL_MS }),
      StreamsDashboardModule.register({ path: '/ops', historyMinutes: 1, historyStreams: Math.min(n, 10_000) }),
    ],
  })
  class DashboardBenchModule {}
  const app = await NestFactory.create(DashboardBenchModule, { logger: false, abortOnError: false });
  try {
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/ops`;
    const probe = `${base}/history?stream=c${n}_0`;
    // Until the recent history a page gets (30 samples) is full.
    while ((await json(probe)).t.length < 31) await sleep(INTERVAL_MS);

    const idle = open(`${base}/events`);
    const firstBytes = await idle.first;
    while (idle.sizes.length < TICKS + 1) await sleep(50);
    const idleTicks = idle.sizes.slice(1, TICKS + 1);

    const busy = open(`${base}/events`);
    await busy.first;
    const js = env.nc.jetstream();
    const active = Math.max(1, Math.round(n / 10));
    while (busy.sizes.length < TICKS + 1) {
      const start = Math.floor(Math.random() * n);
      await Promise.all(Array.from({ length: active }, (_, i) => js.publish(`c${n}.${(start + i) % n}.x`, 'x')));
      await sleep(INTERVAL_MS);
    }
    const busyTicks = busy.sizes.slice(1, TICKS + 1);
    idle.req.destroy();
    busy.req.destroy();

    const series = await json(probe);
    const wholeHistory = Buffer.byteLength(JSON.stringify(series));
    const times = Buffer.byteLength(JSON.stringify(series.t));
    global.gc?.();
    const before = process.memoryUsage();
    let peakHeap = before.heapUsed;
    let peakRss = before.rss;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }, 5);
    const t0 = Date.now();
    const pages = Array.from({ length: PAGES }, () => open(`${base}/events`));
    await Promise.all(pages.map((p) => p.first));
    const allFirstMs = Date.now() - t0;
    clearInterval(sampler);
    for (const p of pages) p.req.destroy();

    const perSecond = (bytes: number) => (bytes * 1000) / DEFAULT_INTERVAL_MS / 1000;
    // What each event carried before: every view, plus in the first every stream's three series
    // (the sample times once), estimated from one stream's whole history.
    const fullEvent = firstBytes;
    const fullFirst = firstBytes + n * (wholeHistory - times) + times;
    env.report.row({
      scenario: '8 dashboard first event vs whole state',
      n,
      unit: 'kB',
      libraryMedianMs: firstBytes / 1000,
      baselineMedianMs: fullFirst / 1000,
      requests,
      goal,
      met: null,
      notes:
        `first event ${firstBytes} bytes (every view, 30 recent samples of messages per stream); the baseline is that plus every ` +
        `stream's three series (${wholeHistory - times} bytes for one stream here, 120 samples; estimated from one stream), what a page ` +
        `received before; one stream's whole history on request: ${wholeHistory} bytes; 1 kB = 1000 bytes.`,
    });
    env.report.row({
      scenario: '8 dashboard feed per page, 10% of streams publishing, at 5 s',
      n,
      unit: 'kB',
      libraryMedianMs: perSecond(median(busyTicks)),
      baselineMedianMs: perSecond(fullEvent),
      requests,
      goal,
      met: null,
      notes:
        `kB per second per open page at the default 5 s interval: median event ${median(busyTicks)} bytes with ${active} streams publishing ` +
        `between snapshots, ${median(idleTicks)} bytes idle (${perSecond(median(idleTicks)).toFixed(3)} kB/s); baseline: the whole view every event.`,
    });
    env.report.row({
      scenario: '8 dashboard 30 pages opened at once, app heap growth',
      n,
      unit: 'MB',
      libraryMedianMs: (peakHeap - before.heapUsed) / 2 ** 20,
      baselineMedianMs: NaN,
      ratio: NaN,
      requests,
      goal,
      met: null,
      notes:
        `peak heapUsed over the heap before, sampled every 5 ms while ${PAGES} pages connect and receive their first event ` +
        `(${allFirstMs} ms for all); RSS +${((peakRss - before.rss) / 2 ** 20).toFixed(1)} MB; no raw equivalent.`,
    });
  } catch (err) {
    env.report.fail('8 dashboard', n, goal, err);
  } finally {
    await app.close();
  }
}
