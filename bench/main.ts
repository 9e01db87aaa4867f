/**
 * The benchmark suite: the library against the raw `nats` client (and the naive approach), in one
 * process, against one local JetStream server started here. See bench/README.md.
 *
 *   npm run bench              N = 100 and 1000, full repetitions
 *   npm run bench -- --quick   N = 100, fewer repetitions (under a minute)
 *   npm run bench -- --n=300   any list of N (comma-separated)
 *   npm run bench -- --only=dashboard,metrics --n=1000,10000
 *                              only these scenarios (dashboard: 8, metrics: 9); their rows replace
 *                              the same rows of bench/results.json, the others stay
 *   npm run bench -- --only=scale --n=10000
 *                              converged start-up, monitor tick, /health, heap (1, 4, 5, 6) at N
 *   npm run bench -- --only=startup --n=10000
 *                              converged start-up alone (1), without rows 4 to 6 of `scale`
 *   npm run bench -- --only=memory --n=10000
 *                              the heap row alone (6), without rows 1, 4 and 5 of `scale`
 *   npm run bench -- --only=cold --n=1000
 *                              cold start-up alone (2), against the raw sequential and concurrent add loops
 *   npm run bench -- --only=consumers --n=1000
 *                              a monitor tick of N streams declaring 2 consumers each (11)
 *   npm run bench -- --only=fleet --n=1000
 *                              10 app processes without and with fleet (10), and the failover
 */
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamMonitor } from '@app/streams';
import { startNatsServer } from '@app/streams/testing';
import { connect } from 'nats';
import { GOAL_N, type BenchEnv, type Reps } from './bench-env.js';
import { declarationCore } from './declaration.scenario.js';
import { singleEnsure } from './ensure.scenario.js';
import { createStreams, declarations, deleteAllStreams, startHttpApp } from './fixtures.js';
import { ApiCounter, log, printTable, Report } from './harness.js';
import { healthLoad } from './health.scenario.js';
import { dashboardFeed } from './dashboard.scenario.js';
import { memory } from './memory.scenario.js';
import { metricsScrape } from './metrics.scenario.js';
import { monitorTick } from './monitor.scenario.js';
import { coldStartup, convergedStartup } from './startup.scenario.js';
import { fleetScenario } from './fleet.scenario.js';
import { consumersTick } from './consumers-tick.scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
/** bench/ in the source tree (the compiled file lives in bench/.tmp/dist/bench/). */
const benchDir = resolve(here, '../../../');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const nArg = args.find((a) => a.startsWith('--n='));
const NS = nArg ? nArg.slice(4).split(',').map(Number) : quick ? [100] : [100, 1000];
const onlyArg = args.find((a) => a.startsWith('--only='));
/** The scenarios of the readers of the snapshot, run alone with --only (their N may be large). */
const ONLY = onlyArg ? new Set(onlyArg.slice(7).split(',')) : undefined;
const REPS: Reps = quick
  ? { fast: 5, cold: 3, single: 40, loopPasses: 20, http: 2, memory: 2 }
  : { fast: 15, cold: 3, single: 150, loopPasses: 20, http: 5, memory: 3 };
/** Monitor interval of the /health app; short, so one load run spans several intervals. */
const HEALTH_MONITOR_INTERVAL_MS = 1000;

/** 4. one monitor tick, and 5. /health under load, on the same HTTP app declaring the N streams. */
async function monitorAndHealth(env: BenchEnv, n: number): Promise<void> {
  let started: Awaited<ReturnType<typeof startHttpApp>> | undefined;
  try {
    started = await startHttpApp({
      connection: { servers: env.url },
      streams: declarations(`c${n}`, n),
      monitorIntervalMs: HEALTH_MONITOR_INTERVAL_MS,
    });
  } catch (err) {
    env.report.fail('4 monitor tick', n, 'app start', err);
    env.report.fail('5 /health under load', n, 'app start', err);
    return;
  }
  const { app, baseUrl } = started;
  try {
    await monitorTick(env, n, app.get(StreamMonitor));
    await healthLoad(env, n, baseUrl, HEALTH_MONITOR_INTERVAL_MS);
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url, name: 'bench-raw' });
  const jsm = await nc.jetstreamManager();
  const counter = await ApiCounter.start(server.url);
  const report = new Report();
  const env: BenchEnv = { server, url: server.url, nc, jsm, counter, report, reps: REPS, quick };
  log(
    `nats-server ${server.version} at ${server.url}; node ${process.version}; ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}; ` +
      `load average at start ${load}; mode ${quick ? 'quick' : 'full'}; N = ${NS.join(', ')}`,
  );
  try {
    if (!ONLY) await declarationCore(env);
    for (const n of NS) {
      await deleteAllStreams(jsm);
      // Every scenario but the cold start-up (which creates its own) reads N existing streams.
      if (!ONLY || [...ONLY].some((name) => name !== 'cold')) {
        log(`N = ${n}: creating ${n} streams`);
        await createStreams(jsm, declarations(`c${n}`, n));
      }
      if (ONLY) {
        if (ONLY.has('startup') && !ONLY.has('scale')) await convergedStartup(env, n);
        if (ONLY.has('cold')) await coldStartup(env, n);
        if (ONLY.has('memory') && !ONLY.has('scale')) await memory(env, n);
        if (ONLY.has('dashboard')) await dashboardFeed(env, n);
        if (ONLY.has('metrics')) await metricsScrape(env, n);
        if (ONLY.has('fleet')) await fleetScenario(env, n);
        if (ONLY.has('consumers')) await consumersTick(env, n);
        if (ONLY.has('scale')) {
          await convergedStartup(env, n);
          await monitorAndHealth(env, n);
          await memory(env, n);
        }
        await deleteAllStreams(jsm);
        continue;
      }
      await convergedStartup(env, n);
      await singleEnsure(env, n);
      await monitorAndHealth(env, n);
      await memory(env, n);
      await coldStartup(env, n);
      await dashboardFeed(env, n);
      await metricsScrape(env, n);
      // Twenty app processes in all: at the goal's N only, and not in a quick run.
      if (n === GOAL_N && !quick) await fleetScenario(env, n);
      await deleteAllStreams(jsm);
    }
  } finally {
    await counter.close();
    await nc.close();
    await server.dispose();
  }
  const kept = ONLY ? await otherRows(report.results) : [];
  const results = [...kept, ...report.results].sort((a, b) => a.scenario.localeCompare(b.scenario, 'en', { numeric: true }) || a.n - b.n);
  const out = join(benchDir, 'results.json');
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log('');
  printTable(results);
  const met = results.filter((r) => r.met === true).length;
  const missed = results.filter((r) => r.met === false);
  const end = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  console.log(
    `\n${met} goals met, ${missed.length} missed${missed.length ? `: ${missed.map((r) => `${r.scenario} (n=${r.n})`).join('; ')}` : ''}.`,
  );
  console.log(`Load average at start ${load}, at the end ${end} (${cpus().length} CPUs).`);
  console.log(`Results written to ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
}

/** The rows of bench/results.json that this run did not measure (a run with --only keeps them). */
async function otherRows(measured: Report['results']): Promise<Report['results']> {
  const key = (r: { scenario: string; n: number }) => `${r.scenario}\u0000${r.n}`;
  const fresh = new Set(measured.map(key));
  const before = JSON.parse(await readFile(join(benchDir, 'results.json'), 'utf8').catch(() => '[]')) as Report['results'];
  return before.filter((r) => !fresh.has(key(r)));
}

await main();
