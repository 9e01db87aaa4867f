import { StreamService, type StreamDeclaration } from '@app/streams';
import { countsNote, GOAL_N, goalAtGoalN, type BenchEnv } from './bench-env.js';
import { alternate, maxCounts, median, medianCounts, percentile, type RequestCounts, totalRequests } from './harness.js';
import { declarations, startContext } from './fixtures.js';

/**
 * 3. `ensureStream` of one matching stream. Cold: the first call for each stream in a fresh app
 * (empty info cache, nothing normalised), one call at a time, alternated with a raw
 * `streams.info`. Warm: the same calls again (answered from the cache), first one at a time, then
 * `ensureStream` and `streamScope` in loops of back-to-back calls, as on a request path, each call
 * with a new config object literal.
 */
export async function singleEnsure(env: BenchEnv, n: number): Promise<void> {
  const goal = goalAtGoalN(n, '<= 1.15x raw streams.info');
  try {
    const decls = declarations(`c${n}`, n);
    await warmUpColdPath(env, decls);
    // A fresh app: its info cache is empty and nothing is normalised, so the first ensure of each stream is a miss.
    const app = await startContext({ connection: { servers: env.url } });
    try {
      const svc = app.get(StreamService);
      const count = Math.min(n - 5, env.reps.single);
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
      const cpu = { cold: [] as number[], warm: [] as number[], raw: [] as number[] };
      const req = { cold: [] as RequestCounts[], warm: [] as RequestCounts[], raw: [] as RequestCounts[] };
      for (const target of ['cold', 'warm'] as const) {
        for (const [i, d] of measured.entries()) {
          const order = i % 2 === 0 ? (['lib', 'raw'] as const) : (['raw', 'lib'] as const);
          for (const side of order) {
            const r = await env.counter.measure(() => (side === 'lib' ? lib(d) : raw(d)));
            const key = side === 'lib' ? target : 'raw';
            sample[key].push(r.ms);
            cpu[key].push(r.cpuMs);
            req[key].push(r.requests);
          }
        }
      }
      const rawMs = median(sample.raw);
      const coldMs = median(sample.cold);
      env.report.row({
        scenario: '3 single ensure (cold cache) vs raw info',
        n,
        libraryMedianMs: coldMs,
        baselineMedianMs: rawMs,
        requests: { library: medianCounts(req.cold), baseline: medianCounts(req.raw) },
        goal,
        met: n >= GOAL_N ? coldMs / rawMs <= 1.15 : null,
        notes:
          `${count} calls per side; p90 library ${percentile(sample.cold, 90).toFixed(3)} ms, raw ${percentile(sample.raw, 90).toFixed(3)} ms; ` +
          `client CPU per call (median): library ${(median(cpu.cold) * 1000).toFixed(0)} µs, raw ${(median(cpu.raw) * 1000).toFixed(0)} µs.` +
          countsNote('library', req.cold),
      });
      await warmLoops(env, n, svc, measured, { ms: rawMs, requests: medianCounts(req.raw) }, sample.warm, req.warm);
    } finally {
      await app.close();
    }
  } catch (err) {
    env.report.fail('3 single ensure', n, goal, err);
  }
}

/**
 * Runs the cold path (first ensure of a stream in an app) on every stream in a throwaway app,
 * untimed: the code is then compiled as the raw client's is, whose `streams.info` the naive loop of
 * scenario 1 has already run many times.
 */
async function warmUpColdPath(env: BenchEnv, decls: StreamDeclaration[]): Promise<void> {
  const app = await startContext({ connection: { servers: env.url } });
  try {
    const svc = app.get(StreamService);
    for (const d of decls.slice(0, Math.min(decls.length, 300))) await svc.ensureStream(d.name, d.subjects ?? []);
  } finally {
    await app.close();
  }
}

/**
 * The warm rows: µs per call of `ensureStream` and of `streamScope` over loops of back-to-back
 * calls on the warm streams (0 requests allowed), against one raw `streams.info` (what a warm cache
 * saves). `singleMs` are the warm calls timed one at a time, for the notes.
 */
async function warmLoops(
  env: BenchEnv,
  n: number,
  svc: StreamService,
  streams: StreamDeclaration[],
  raw: { ms: number; requests: RequestCounts },
  singleMs: number[],
  singleRequests: RequestCounts[],
): Promise<void> {
  const goal = '< 5 µs per call, 0 requests';
  const calls = streams.length * env.reps.loopPasses;
  const loop = (call: (d: StreamDeclaration) => Promise<unknown>) => async () => {
    for (let i = 0; i < calls; i++) await call(streams[i % streams.length]);
  };
  const sides = {
    ensureStream: loop((d) => svc.ensureStream(d.name, d.subjects ?? [], { max_age: '1h' })),
    streamScope: loop((d) => svc.streamScope(d.name, d.subjects ?? [], { max_age: '1h' }, (js) => js)),
  };
  await alternate(env.counter, 1, sides); // warm-up: the first call of each stream with this config normalises it
  const runs = await alternate(env.counter, env.reps.fast, sides);
  const singleMax = totalRequests(maxCounts(singleRequests));
  for (const side of ['ensureStream', 'streamScope'] as const) {
    const perCallUs = (median(runs[side].ms) * 1000) / calls;
    const maxRequests = totalRequests(maxCounts(runs[side].requests));
    env.report.row({
      scenario: `3 warm ${side} per call (loop) vs raw info`,
      n,
      unit: 'µs',
      libraryMedianMs: perCallUs,
      baselineMedianMs: raw.ms * 1000,
      requests: { library: medianCounts(runs[side].requests), baseline: raw.requests },
      goal,
      met: perCallUs < 5 && maxRequests === 0,
      notes:
        `${calls} calls per loop over ${streams.length} streams (a new { max_age: '1h' } literal each), ${env.reps.fast} loops; ` +
        `requests in a loop (max): ${maxRequests}.` +
        (side === 'ensureStream'
          ? ` One warm ensureStream timed alone (after a request-counter flush, so on cold CPU caches): median ` +
            `${(median(singleMs) * 1000).toFixed(1)} µs, ${singleMax} requests max.`
          : ''),
    });
  }
}
