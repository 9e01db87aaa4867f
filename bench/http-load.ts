import { execFile } from 'node:child_process';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));

/** What one load run measured. */
export interface LoadResult {
  /** Per-request latency, ms, in completion order. */
  latencies: number[];
  /** Wall time of the whole run, ms. */
  durationMs: number;
  /** Responses by HTTP status. */
  statuses: Record<number, number>;
  /** Bytes of the last response body (the size of one /health answer). */
  bodyBytes: number;
}

/**
 * `total` GET requests to `url`, `concurrency` in flight at once over keep-alive connections:
 * a minimal autocannon. Latency is from request start to the end of the response body.
 */
export async function load(url: string, total: number, concurrency: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let bodyBytes = 0;
  let issued = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      const req = request(url, { agent }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => {
          latencies.push(performance.now() - t0);
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          bodyBytes = bytes;
          resolve();
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  const worker = async () => {
    while (issued < total) {
      issued++;
      await one();
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const durationMs = performance.now() - t0;
  agent.destroy();
  return { latencies, durationMs, statuses, bodyBytes };
}

/**
 * {@link load} in a child process, so the client's own work never runs on the app's event loop:
 *   node load-child.js <url> <total> <concurrency>
 */
export async function loadInChild(url: string, total: number, concurrency: number): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(here, 'load-child.js'), url, String(total), String(concurrency)], {
    maxBuffer: 16 << 20,
  });
  return JSON.parse(stdout) as LoadResult;
}
