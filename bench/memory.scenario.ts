import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GOAL_N, goalAtGoalN, type BenchEnv } from './bench-env.js';
import { alternate, median, medianCounts } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * 6. Heap held by the module with N declared streams ensured, cached and monitored (two
 * snapshots), each measurement in a fresh process (`memory-child.ts`), against a raw connection
 * holding the N infos of one list.
 */
export async function memory(env: BenchEnv, n: number): Promise<void> {
  // Issue #25 sets the goal at 10,000 streams: < 30 MB.
  const limitMb = n >= 10_000 ? 30 : 5;
  const goal = goalAtGoalN(n, `< ${limitMb} MB heap`);
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
    const runs = await alternate(env.counter, env.reps.memory, {
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
    const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
    env.report.row({
      scenario: '6 memory (heap delta) vs raw connection + infos',
      n,
      unit: 'MB',
      libraryMedianMs: libMb,
      baselineMedianMs: median(mb.raw),
      requests: { library: medianCounts(runs.library.requests), baseline: medianCounts(runs.raw.requests) },
      goal,
      met: n >= GOAL_N ? libMb < limitMb : null,
      notes:
        `heap deltas after gc, library [${list(mb.library)}] MB, raw [${list(mb.raw)}] MB; ${detail}; library includes Nest's container, ` +
        `the connection, the info cache, the remembered declarations and two monitor snapshots (requests include its start-up ensure).`,
    });
  } catch (err) {
    env.report.fail('6 memory', n, goal, err);
  }
}
