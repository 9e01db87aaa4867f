import { StreamMonitor } from '@app/streams';
import { GOAL_N, goalAtGoalN, type BenchEnv } from './bench-env.js';
import { declarations, startContext } from './fixtures.js';
import { alternate, cpuNote, median, medianCounts, totalRequests } from './harness.js';

/** Consumer lists in flight on the raw side: the library's default `concurrency`. */
const CONCURRENCY = 8;

/**
 * 11. One monitor tick of N streams that each declare 2 consumers: the paginated stream list plus
 * one `CONSUMER.LIST` per stream (the server has no call that lists the consumers of several
 * streams), against the raw equivalent: the same list and one `jsm.consumers.list` per stream,
 * `CONCURRENCY` in flight. The app's start-up creates the 2N consumers (setup, not timed).
 */
export async function consumersTick(env: BenchEnv, n: number): Promise<void> {
  const goal = goalAtGoalN(n, 'requests and time <= 1.2x the raw list + one consumer list per stream');
  try {
    const streams = declarations(`c${n}`, n).map((d) => ({ ...d, consumers: [{ durable_name: 'a' }, { durable_name: 'b' }] }));
    const app = await startContext({ connection: { servers: env.url }, streams, startup: { streamsTimeoutMs: 600_000 } });
    try {
      const monitor = app.get(StreamMonitor);
      const sides = {
        library: async () => {
          const snap = await monitor.read(0);
          if (snap.error) throw new Error(`snapshot error: ${snap.error}`);
        },
        raw: async () => {
          const names: string[] = [];
          for await (const info of env.jsm.streams.list()) names.push(info.config.name);
          let next = 0;
          let consumers = 0;
          const worker = async () => {
            while (next < names.length) {
              const page = await env.jsm.consumers.list(names[next++]).next();
              consumers += page.length;
            }
          };
          await Promise.all(Array.from({ length: CONCURRENCY }, worker));
          if (consumers !== 2 * n) throw new Error(`raw side saw ${consumers} consumers`);
        },
      };
      await alternate(env.counter, 1, sides);
      const runs = await alternate(env.counter, env.reps.cold + 2, sides);
      const libMs = median(runs.library.ms);
      const rawMs = median(runs.raw.ms);
      const libReq = totalRequests(medianCounts(runs.library.requests));
      const rawReq = totalRequests(medianCounts(runs.raw.requests));
      env.report.row({
        scenario: '11 monitor tick, 2 consumers per stream, vs raw list + consumer lists',
        n,
        libraryMedianMs: libMs,
        baselineMedianMs: rawMs,
        requests: { library: medianCounts(runs.library.requests), baseline: medianCounts(runs.raw.requests) },
        goal,
        met: n >= GOAL_N ? libMs / rawMs <= 1.2 && libReq <= 1.2 * rawReq : null,
        notes:
          `requests per tick: library ${libReq}, raw ${rawReq} (CONSUMER.LIST counted as "other"); the server offers no cheaper ` +
          `call (no consumer list across streams, and STREAM.INFO carries only a consumer count), so each tick costs ` +
          `ceil(N/256) + N requests on both sides; ${cpuNote(runs.library, runs.raw)}`,
      });
    } finally {
      await app.close();
    }
  } catch (err) {
    env.report.fail('11 monitor tick, 2 consumers per stream', n, goal, err);
  }
}
