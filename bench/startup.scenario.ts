import type { INestApplicationContext } from '@nestjs/common';
import { StreamService, type StreamDeclaration } from '@app/streams';
import type { StreamConfig } from 'nats';
import { countsNote, GOAL_N, goalAtGoalN, pages, type BenchEnv } from './bench-env.js';
import { alternate, cpuNote, maxCounts, median, medianCounts, writes } from './harness.js';
import { declarations, deleteAllStreams, rawConfig, rawMatches, startContext } from './fixtures.js';

/** Writes in flight in `ensureStreams`: the library's default `concurrency`. */
const CONCURRENCY = 8;

/**
 * 1. Converged start-up: every declared stream already matches. `ensureStreams` of the N
 * declarations in a running app (they were normalised by an earlier call, as the module's start-up
 * does), and, for the notes, as the first call of a fresh app; against one raw paginated list plus
 * a hand-written compare, and the naive loop of one `streams.info` per stream.
 */
export async function convergedStartup(env: BenchEnv, n: number): Promise<void> {
  const goalRaw = goalAtGoalN(n, '<= 1.2x raw paginated list + compare, 0 writes');
  const goalNaive = goalAtGoalN(n, '<= 0.1x the naive loop (10x faster)');
  let fresh: INestApplicationContext | undefined;
  try {
    const decls = declarations(`c${n}`, n);
    const options = { connection: { servers: env.url } };
    const app = await startContext(options);
    try {
      const svc = app.get(StreamService);
      await svc.ensureStreams(decls);
      const wants = decls.map(rawConfig);
      const converged = async (service: StreamService) => {
        const res = await service.ensureStreams(decls);
        const changed = res.filter((r) => r.action !== 'unchanged');
        if (changed.length)
          throw new Error(`library saw ${changed.length} streams as not converged, e.g. ${changed[0].name} ${changed[0].action}`);
      };
      const sides = {
        library: () => converged(svc),
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
        // The first ensureStreams of an app (nothing normalised yet); the app starts untimed.
        fresh: () => converged(fresh!.get(StreamService)),
      };
      const before = async (side: string) => {
        if (side !== 'fresh') return;
        await fresh?.close();
        fresh = await startContext(options);
      };
      await alternate(env.counter, 1, sides, before); // warm-up, discarded
      const runs = await alternate(env.counter, env.reps.fast, sides, before);
      const lib = medianCounts(runs.library.requests);
      const libMax = maxCounts(runs.library.requests);
      const libMs = median(runs.library.ms);
      const rawMs = median(runs.raw.ms);
      const naiveMs = median(runs.naive.ms);
      const freshMs = median(runs.fresh.ms);
      env.report.row({
        scenario: '1 converged start-up vs raw list+compare',
        n,
        libraryMedianMs: libMs,
        baselineMedianMs: rawMs,
        requests: { library: lib, baseline: medianCounts(runs.raw.requests) },
        goal: goalRaw,
        met: n >= GOAL_N ? libMs / rawMs <= 1.2 && writes(libMax) === 0 : null,
        notes:
          `library writes (max over runs): ${writes(libMax)}; pages per list: ${pages(n)}; first call of a fresh app ` +
          `(normalising every declaration) ${freshMs.toFixed(1)} ms = ${(freshMs / rawMs).toFixed(2)}x the raw side, client CPU ` +
          `${median(runs.fresh.cpuMs).toFixed(2)} ms; ${cpuNote(runs.library, runs.raw)}` +
          countsNote('library', runs.library.requests),
      });
      env.report.row({
        scenario: '1 converged start-up vs naive info-per-stream',
        n,
        libraryMedianMs: libMs,
        baselineMedianMs: naiveMs,
        requests: { library: lib, baseline: medianCounts(runs.naive.requests) },
        goal: goalNaive,
        met: n >= GOAL_N ? libMs / naiveMs <= 0.1 && writes(libMax) === 0 : null,
        notes: `library is ${(naiveMs / libMs).toFixed(1)}x faster than the naive sequential loop.`,
      });
    } finally {
      await fresh?.close();
      await app.close();
    }
  } catch (err) {
    env.report.fail('1 converged start-up', n, goalRaw, err);
  }
}

/** 2. Cold start-up: none of the declared streams exists; against a raw sequential add loop. */
export async function coldStartup(env: BenchEnv, n: number): Promise<void> {
  const goal = '<= 1.15x raw add loop';
  try {
    const app = await startContext({ connection: { servers: env.url } });
    try {
      const svc = app.get(StreamService);
      const sides = {
        library: async (list: StreamDeclaration[]) => {
          const res = await svc.ensureStreams(list);
          const notCreated = res.filter((r) => r.action !== 'created');
          if (notCreated.length)
            throw new Error(`${notCreated.length} streams not created, e.g. ${notCreated[0].name} ${notCreated[0].action}`);
        },
        raw: async (list: StreamDeclaration[]) => {
          for (const d of list) await env.jsm.streams.add(rawConfig(d));
        },
        // The fair baseline (issue #25): the same adds, CONCURRENCY in flight, as the library sends them.
        rawConcurrent: async (list: StreamDeclaration[]) => {
          let next = 0;
          const worker = async () => {
            while (next < list.length) await env.jsm.streams.add(rawConfig(list[next++]));
          };
          await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        },
      };
      const all = { library: () => sides.library(batch), raw: () => sides.raw(batch), rawConcurrent: () => sides.rawConcurrent(batch) };
      // New names for every run: a stream created again right after its deletion can find the
      // server still removing its store ("error creating store for stream").
      let run = 0;
      let batch: StreamDeclaration[] = [];
      const next = (count: number) => async () => {
        await deleteAllStreams(env.jsm);
        batch = declarations(`w${n}r${run++}`, count);
      };
      await alternate(env.counter, 1, all, next(Math.min(n, 20)));
      const runs = await alternate(env.counter, env.reps.cold, all, next(n));
      const libMs = median(runs.library.ms);
      const rawMs = median(runs.raw.ms);
      const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
      env.report.row({
        scenario: '2 cold start-up vs raw add loop',
        n,
        libraryMedianMs: libMs,
        baselineMedianMs: rawMs,
        requests: { library: medianCounts(runs.library.requests), baseline: medianCounts(runs.raw.requests) },
        goal,
        met: libMs / rawMs <= 1.15,
        notes:
          `per stream: library ${(libMs / n).toFixed(2)} ms, raw ${(rawMs / n).toFixed(2)} ms; ` +
          `runs library [${list(runs.library.ms)}] raw [${list(runs.raw.ms)}] ms.` +
          countsNote('library', runs.library.requests),
      });
      const concurrentMs = median(runs.rawConcurrent.ms);
      env.report.row({
        scenario: '2 cold start-up vs raw concurrent add loop',
        n,
        libraryMedianMs: libMs,
        baselineMedianMs: concurrentMs,
        requests: { library: medianCounts(runs.library.requests), baseline: medianCounts(runs.rawConcurrent.requests) },
        goal: goalAtGoalN(n, `<= 1.1x raw concurrent add loop (${CONCURRENCY} in flight, the library's default concurrency)`),
        met: n >= GOAL_N ? libMs / concurrentMs <= 1.1 : null,
        notes: `runs library [${list(runs.library.ms)}] raw concurrent [${list(runs.rawConcurrent.ms)}] ms (same alternated runs as the sequential row).`,
      });
    } finally {
      await app.close();
    }
  } catch (err) {
    env.report.fail('2 cold start-up', n, goal, err);
  }
}
