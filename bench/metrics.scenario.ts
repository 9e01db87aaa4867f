import { createServer, get, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { metrics, type Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { StreamMonitor, StreamsModule } from '@app/streams';
import type { StreamInfo } from 'nats';
import type { BenchEnv } from './bench-env.js';
import { declarations } from './fixtures.js';
import { emptyCounts, median, percentile } from './harness.js';

/** Scrapes per side after the warm-up. */
const SCRAPES = 30;

/** One scrape: its body size and how long it took, ms. */
interface Scrape {
  bytes: number;
  ms: number;
}

/** Serves one exporter's `/metrics` on a free port; returns the server and its URL. */
async function serve(exporter: PrometheusExporter): Promise<{ http: Server; url: string }> {
  const http = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { http, url: `http://127.0.0.1:${(http.address() as { port: number }).port}/metrics` };
}

function scrape(url: string): Promise<Scrape> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    get(url, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ bytes, ms: performance.now() - t0 }));
    }).on('error', reject);
  });
}

/**
 * The hand-written equivalent: the same SDK and exporter, with one batch callback observing what
 * a team would export by hand for each stream (messages, bytes, consumers, and 1 for up), from a
 * raw `jsm.streams.list()` taken before the scrape (as the library reads its monitor's snapshot).
 */
function rawGauges(meter: Meter, infos: () => StreamInfo[]): void {
  const gauges = ['messages', 'bytes', 'consumers', 'up'].map((name) => meter.createObservableGauge(`raw.stream.${name}`));
  meter.addBatchObservableCallback((result) => {
    for (const info of infos()) {
      const attributes = { 'nats.connection.name': 'default', 'nats.jetstream.stream.name': info.config.name };
      result.observe(gauges[0], info.state.messages, attributes);
      result.observe(gauges[1], info.state.bytes, attributes);
      result.observe(gauges[2], info.state.consumer_count, attributes);
      result.observe(gauges[3], 1, attributes);
    }
  }, gauges);
}

/**
 * 9. `GET /metrics` (Prometheus text) of an app with N declared streams, the library's
 * instruments read from the monitor's snapshot (kept fresh by the monitor's loop, as it is while
 * the dashboard or a `snapshots()` subscriber runs), against the hand-written gauges above
 * through the same SDK and exporter. Sequential scrapes, alternated.
 */
export async function metricsScrape(env: BenchEnv, n: number): Promise<void> {
  const goal = 'info: bytes and p50 of one scrape; baseline: 4 hand-written gauges per stream, same SDK and exporter';
  const libraryExporter = new PrometheusExporter({ preventServerStart: true });
  // The SDK keeps 2,000 series per instrument by default (the rest go to one overflow series): at
  // N = 10,000 both sides need the limit raised, as the README tells users to do.
  const views = [{ instrumentName: '*', aggregationCardinalityLimit: 100_000 }];
  const libraryProvider = new MeterProvider({ readers: [libraryExporter], views });
  const rawExporter = new PrometheusExporter({ preventServerStart: true });
  const rawProvider = new MeterProvider({ readers: [rawExporter], views });
  let app: INestApplicationContext | undefined;
  const servers: Server[] = [];
  try {
    metrics.setGlobalMeterProvider(libraryProvider);
    @Module({ imports: [StreamsModule.forRoot({ connection: { servers: env.url }, streams: declarations(`c${n}`, n) })] })
    class MetricsBenchModule {}
    app = await NestFactory.createApplicationContext(MetricsBenchModule, { logger: false, abortOnError: false });
    await app.init();
    // The monitor's loop keeps the snapshot fresh, as in an app with the dashboard.
    const loop = app.get(StreamMonitor).snapshots().subscribe();
    let infos: StreamInfo[] = [];
    const refresh = async () => {
      const listed: StreamInfo[] = [];
      for await (const info of env.jsm.streams.list()) listed.push(info);
      infos = listed;
    };
    await refresh();
    rawGauges(rawProvider.getMeter('raw'), () => infos);
    const library = await serve(libraryExporter);
    const raw = await serve(rawExporter);
    servers.push(library.http, raw.http);
    for (let i = 0; i < 3; i++) await Promise.all([scrape(library.url), scrape(raw.url)]);
    const sides = { library: [] as Scrape[], raw: [] as Scrape[] };
    const cpu = { library: [] as number[], raw: [] as number[] };
    for (let i = 0; i < SCRAPES; i++) {
      for (const side of i % 2 ? (['raw', 'library'] as const) : (['library', 'raw'] as const)) {
        const c0 = process.cpuUsage();
        sides[side].push(await scrape(side === 'library' ? library.url : raw.url));
        const c = process.cpuUsage(c0);
        cpu[side].push((c.user + c.system) / 1000);
      }
    }
    loop.unsubscribe();
    const p = (xs: Scrape[]) =>
      `p50 ${percentile(
        xs.map((s) => s.ms),
        50,
      ).toFixed(1)} / p90 ${percentile(
        xs.map((s) => s.ms),
        90,
      ).toFixed(1)} ms`;
    const requests = { library: emptyCounts(), baseline: emptyCounts() };
    const libKb = median(sides.library.map((s) => s.bytes)) / 1000;
    const rawKb = median(sides.raw.map((s) => s.bytes)) / 1000;
    const series = (await scrapeText(library.url)).split('\n').filter((l) => l && !l.startsWith('#')).length;
    env.report.row({
      scenario: '9 /metrics scrape body vs hand-written gauges',
      n,
      unit: 'kB',
      libraryMedianMs: libKb,
      baselineMedianMs: rawKb,
      requests,
      goal,
      met: null,
      notes: `${series} series in the library's scrape (${(series / n).toFixed(1)} per stream); 1 kB = 1000 bytes.`,
    });
    env.report.row({
      scenario: '9 /metrics scrape p50 vs hand-written gauges',
      n,
      libraryMedianMs: percentile(
        sides.library.map((s) => s.ms),
        50,
      ),
      baselineMedianMs: percentile(
        sides.raw.map((s) => s.ms),
        50,
      ),
      requests,
      goal,
      met: null,
      notes:
        `${SCRAPES} sequential scrapes per side, alternated; library ${p(sides.library)}, hand-written ${p(sides.raw)}; ` +
        `process CPU per scrape (median) library ${median(cpu.library).toFixed(1)} ms, hand-written ${median(cpu.raw).toFixed(1)} ms.`,
    });
  } catch (err) {
    env.report.fail('9 /metrics scrape', n, goal, err);
  } finally {
    for (const http of servers) http.close();
    await app?.close();
    await libraryProvider.shutdown();
    await rawProvider.shutdown();
    metrics.disable();
  }
}

function scrapeText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}
