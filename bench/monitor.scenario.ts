import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamMonitor } from '@app/streams';
import { firstValueFrom } from 'rxjs';
import { GOAL_N, goalAtGoalN, pages, type BenchEnv } from './bench-env.js';
import { alternate, cpuNote, maxCounts, median, medianCounts, totalRequests } from './harness.js';

/**
 * 4. One monitor tick of N declared streams: what the polling loop does each interval, a fresh
 * read (`read(0)`: the paginated list, the info cache refreshed, every stream's health record, the
 * snapshot), against the raw paginated list of all infos. The notes add the first snapshot of a new
 * `snapshots(100)` subscription, which also waits for the loop's first timer.
 */
export async function monitorTick(env: BenchEnv, n: number, monitor: StreamMonitor): Promise<void> {
  const goal = `<= ${pages(n)} requests/tick; ${goalAtGoalN(n, '<= 1.2x raw list')}`;
  const SUBSCRIBE_INTERVAL_MS = 100;
  try {
    let seen = 0;
    const sides = {
      library: async () => {
        const snap = await monitor.read(0);
        if (snap.error) throw new Error(`snapshot error: ${snap.error}`);
        seen = Object.keys(snap.streams).length;
      },
      raw: async () => {
        const infos = [];
        for await (const info of env.jsm.streams.list()) infos.push(info);
        if (infos.length !== n) throw new Error(`raw list saw ${infos.length} streams`);
      },
      subscribe: async () => {
        const snap = await firstValueFrom(monitor.snapshots(SUBSCRIBE_INTERVAL_MS));
        if (snap.error) throw new Error(`snapshot error: ${snap.error}`);
      },
    };
    // A new subscription reads anew only when the latest snapshot is older than half its interval.
    const before = async (side: string) => {
      if (side === 'subscribe') await sleep(SUBSCRIBE_INTERVAL_MS);
    };
    await alternate(env.counter, 1, sides, before);
    // Twice the repetitions of the other fast scenarios: a tick is short and this machine noisy.
    const runs = await alternate(env.counter, env.reps.fast * 2 + 1, sides, before);
    const libMs = median(runs.library.ms);
    const rawMs = median(runs.raw.ms);
    const maxReq = totalRequests(maxCounts(runs.library.requests));
    const subscribeMs = median(runs.subscribe.ms);
    env.report.row({
      scenario: '4 monitor tick vs raw paginated list',
      n,
      libraryMedianMs: libMs,
      baselineMedianMs: rawMs,
      requests: { library: medianCounts(runs.library.requests), baseline: medianCounts(runs.raw.requests) },
      goal,
      met: maxReq <= pages(n) && (n < GOAL_N || libMs / rawMs <= 1.2),
      notes:
        `max requests in one tick: ${maxReq} (allowed ${pages(n)}); ${seen} streams in the snapshot; first snapshot of a new ` +
        `snapshots(${SUBSCRIBE_INTERVAL_MS}) subscription (timer included): ${subscribeMs.toFixed(1)} ms = ${(subscribeMs / rawMs).toFixed(2)}x; ` +
        cpuNote(runs.library, runs.raw),
    });
  } catch (err) {
    env.report.fail('4 monitor tick', n, goal, err);
  }
}
