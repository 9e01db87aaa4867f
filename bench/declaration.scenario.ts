import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchEnv } from './bench-env.js';
import { emptyCounts } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A figure of `declaration-micro.ts`: µs of CPU per declaration, median and fastest round. */
interface Figure {
  median: number;
  min: number;
}

/** What `declaration-micro.js --json` prints. */
interface MicroResult {
  declarations: number;
  rounds: number;
  normalise: Figure;
  diff: Figure;
  both: Figure;
  normaliseAfterKeeping: Figure;
  memoHit: Figure;
  subjects: Array<{ count: number; ms: number }>;
}

/**
 * 7. The pure declaration core, no server: µs of CPU per declaration to normalise and diff
 * (`declaration-micro.ts`, in a process of its own so the suite's heap does not weigh on it), and
 * what a remembered declaration costs instead. Information only (issue #23: the goals are about
 * what users wait for). No raw baseline: the raw client validates nothing.
 */
export async function declarationCore(env: BenchEnv): Promise<void> {
  const goal = 'information (no goal)';
  try {
    const args = [join(here, 'declaration-micro.js'), '--json', ...(env.quick ? ['--rounds=5'] : [])];
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
    const r = JSON.parse(stdout.trim().split('\n').pop() ?? '') as MicroResult;
    const us = (f: Figure) => `${f.median.toFixed(2)} µs`;
    env.report.row({
      scenario: '7 declaration core: normalise + diff per declaration',
      n: r.declarations,
      unit: 'µs',
      libraryMedianMs: r.both.median,
      baselineMedianMs: NaN,
      requests: { library: emptyCounts(), baseline: emptyCounts() },
      goal,
      met: null,
      notes:
        `CPU per declaration, median of ${r.rounds} rounds (fastest ${r.both.min.toFixed(2)} µs): normalise ${us(r.normalise)} ` +
        `(${us(r.normaliseAfterKeeping)} with ${r.declarations} results alive), diff ${us(r.diff)}; a remembered declaration ` +
        `given again as new objects: ${us(r.memoHit)}; one declaration of ` +
        `${r.subjects.map((s) => `${s.count} subjects ${s.ms.toFixed(1)} ms`).join(', ')} of CPU.`,
    });
  } catch (err) {
    env.report.fail('7 declaration core', 0, goal, err);
  }
}
