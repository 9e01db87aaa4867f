import { GOAL_N, goalAtGoalN, pages, type BenchEnv } from './bench-env.js';
import { alternate, median, medianCounts, percentile, totalRequests } from './harness.js';
import { loadInChild, type LoadResult } from './http-load.js';

/** Load of one run: requests, and how many at once over keep-alive connections. */
const HTTP_REQUESTS = 1000;
const HTTP_CONCURRENCY = 50;

/**
 * 5. `GET /health` (nats + streams indicators) under load, against the same Terminus endpoint with
 * no indicator: p50 latency, throughput, body size with every stream up, and the JetStream
 * requests the server sees during a run (at most one list per monitor interval). The notes add
 * each indicator alone, one run each.
 */
export async function healthLoad(env: BenchEnv, n: number, baseUrl: string, intervalMs: number): Promise<void> {
  const goal = goalAtGoalN(n, '<= 1.5x bare terminus p50');
  try {
    const latencies = { library: [] as number[], baseline: [] as number[] };
    const meta: Array<{ side: string } & LoadResult> = [];
    const run = (side: 'library' | 'baseline', path: string) => async () => {
      const r = await loadInChild(`${baseUrl}${path}`, HTTP_REQUESTS, HTTP_CONCURRENCY);
      latencies[side].push(...r.latencies);
      meta.push({ side, ...r });
    };
    const sides = { library: run('library', '/health'), baseline: run('baseline', '/health/baseline') };
    await loadInChild(`${baseUrl}/health`, 200, 10); // warm-up
    await loadInChild(`${baseUrl}/health/baseline`, 200, 10);
    const runs = await alternate(env.counter, env.reps.http, sides);
    const libRuns = meta.filter((m) => m.side === 'library');
    const baseRuns = meta.filter((m) => m.side === 'baseline');
    // One read per interval the run touched: a run of D ms touches at most floor(D / I) + 1 intervals.
    const perRun = runs.library.requests.map((c, i) => ({
      lists: c['STREAM.LIST'],
      allowed: pages(n) * (Math.floor(libRuns[i].durationMs / intervalMs) + 1),
      other: totalRequests(c) - c['STREAM.LIST'],
      durationMs: libRuns[i].durationMs,
    }));
    const within = perRun.every((r) => r.lists <= r.allowed && r.other === 0);
    const non200 = meta.filter((m) => Object.keys(m.statuses).some((s) => s !== '200'));
    const ok = non200.length === 0;
    const statusNote = ok ? '' : ` Non-200 answers: ${JSON.stringify(non200.map((m) => ({ side: m.side, statuses: m.statuses })))}.`;
    const rps = (xs: typeof meta) => HTTP_REQUESTS / (median(xs.map((m) => m.durationMs)) / 1000);
    const p = (xs: number[]) =>
      `p50 ${percentile(xs, 50).toFixed(1)} / p90 ${percentile(xs, 90).toFixed(1)} / p99 ${percentile(xs, 99).toFixed(1)} ms`;
    const alone = await indicatorsAlone(baseUrl);
    const requests = { library: medianCounts(runs.library.requests), baseline: medianCounts(runs.baseline.requests) };
    const libP50 = percentile(latencies.library, 50);
    const baseP50 = percentile(latencies.baseline, 50);
    env.report.row({
      scenario: '5 /health p50 latency vs bare terminus',
      n,
      libraryMedianMs: libP50,
      baselineMedianMs: baseP50,
      requests,
      goal,
      met: n >= GOAL_N ? ok && libP50 / baseP50 <= 1.5 : null,
      notes:
        `${HTTP_REQUESTS} requests x ${env.reps.http} runs per side at concurrency ${HTTP_CONCURRENCY} (client in a child process); ` +
        `/health ${p(latencies.library)}; bare ${p(latencies.baseline)}; app CPU per request (median run): /health ` +
        `${cpuPerRequest(runs.library.cpuMs)} µs, bare ${cpuPerRequest(runs.baseline.cpuMs)} µs; one indicator alone (one run each): ${alone}.` +
        statusNote,
    });
    const libRps = rps(libRuns);
    const baseRps = rps(baseRuns);
    env.report.row({
      scenario: '5 /health throughput vs bare terminus',
      n,
      unit: 'req/s',
      libraryMedianMs: libRps,
      baselineMedianMs: baseRps,
      requests,
      goal: goalAtGoalN(n, '>= 70% of bare terminus (ratio >= 0.7)'),
      met: n >= GOAL_N ? ok && libRps / baseRps >= 0.7 : null,
      notes: `from the median run duration per side.${statusNote}`,
    });
    const bodyKb = median(libRuns.map((m) => m.bodyBytes)) / 1000;
    env.report.row({
      scenario: '5 /health body, all streams up',
      n,
      unit: 'kB',
      libraryMedianMs: bodyKb,
      baselineMedianMs: median(baseRuns.map((m) => m.bodyBytes)) / 1000,
      requests,
      goal: goalAtGoalN(n, '<= 4 kB'),
      met: n >= GOAL_N ? ok && bodyKb <= 4 : null,
      notes: `${median(libRuns.map((m) => m.bodyBytes))} bytes (1 kB = 1000 bytes), compact details (the default).${statusNote}`,
    });
    env.report.row({
      scenario: '5 /health JetStream lists per load run',
      n,
      unit: 'requests',
      libraryMedianMs: median(perRun.map((r) => r.lists)),
      baselineMedianMs: median(perRun.map((r) => r.allowed)),
      ratio: Math.max(...perRun.map((r) => r.lists / r.allowed)),
      requests,
      goal: `<= 1 list (${pages(n)} pages) per ${intervalMs} ms monitor interval, nothing else`,
      met: within && ok,
      notes:
        `per run: ${perRun.map((r) => `${r.lists} LIST pages / ${r.allowed} allowed in ${r.durationMs.toFixed(0)} ms, other ${r.other}`).join('; ')}; ` +
        `the ratio is the highest share of the allowance a run used.`,
    });
  } catch (err) {
    env.report.fail('5 /health under load', n, goal, err);
  }
}

/** The app's CPU per request (µs) of the median run: the load client runs in a process of its own. */
function cpuPerRequest(cpuMs: number[]): string {
  return ((median(cpuMs) * 1000) / HTTP_REQUESTS).toFixed(0);
}

/** p50 and throughput of each indicator on its own endpoint (one load run each, for the notes). */
async function indicatorsAlone(baseUrl: string): Promise<string> {
  const parts: string[] = [];
  for (const path of ['/health/nats', '/health/streams']) {
    const r = await loadInChild(`${baseUrl}${path}`, HTTP_REQUESTS, HTTP_CONCURRENCY);
    parts.push(`${path} p50 ${percentile(r.latencies, 50).toFixed(1)} ms, ${(HTTP_REQUESTS / (r.durationMs / 1000)).toFixed(0)} req/s`);
  }
  return parts.join('; ');
}
