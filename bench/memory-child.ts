/**
 * One memory measurement in a process of its own (run with --expose-gc):
 *   node --expose-gc memory-child.js <library|raw> <natsUrl> <prefix> <n>
 * Prints one JSON line `{ deltaBytes, detail }` on stdout.
 *
 * library: heap after gc with everything imported, then a Nest context with StreamsModule
 *   declaring the N streams (ensured at init, so all N infos are cached) and a `StreamMonitor.snapshots()`
 *   subscription that has taken two snapshots; heap after gc again. The delta is the module's
 *   cost: Nest's container for it, the connection, the info cache and the latest snapshot.
 * raw: the same, for a plain `nats` connection holding the N infos of one paginated list.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamMonitor } from '@app/streams';
import { connect, type StreamInfo } from 'nats';
import { firstValueFrom, type Subscription } from 'rxjs';
import { declarations, startContext } from './fixtures.js';

const [mode, url, prefix, nText] = process.argv.slice(2);
const n = Number(nText);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
}

async function library(): Promise<{ deltaBytes: number; detail: string; keep: unknown[] }> {
  const decls = declarations(prefix, n);
  const before = await settledHeap();
  const app = await startContext({ connection: { servers: url }, streams: decls, monitorIntervalMs: 500 });
  const monitor = app.get(StreamMonitor);
  let sub: Subscription | undefined;
  let snapshots = 0;
  const second = new Promise<void>((resolve) => {
    sub = monitor.snapshots().subscribe(() => {
      if (++snapshots === 2) resolve();
    });
  });
  await second;
  const after = await settledHeap();
  const snapshot = await firstValueFrom(monitor.snapshots());
  const detail = `${Object.keys(snapshot.streams).length} streams in snapshot`;
  const keep = [app, sub];
  return { deltaBytes: after - before, detail, keep };
}

async function raw(): Promise<{ deltaBytes: number; detail: string; keep: unknown[] }> {
  const before = await settledHeap();
  const nc = await connect({ servers: url });
  const jsm = await nc.jetstreamManager();
  const infos: StreamInfo[] = [];
  for await (const info of jsm.streams.list()) infos.push(info);
  const after = await settledHeap();
  return { deltaBytes: after - before, detail: `${infos.length} infos held`, keep: [nc, infos] };
}

const result = mode === 'library' ? await library() : await raw();
process.stdout.write(`${JSON.stringify({ deltaBytes: result.deltaBytes, detail: result.detail })}\n`);
// The measured objects stay referenced until here; exit without a graceful shutdown.
void result.keep;
process.exit(0);
