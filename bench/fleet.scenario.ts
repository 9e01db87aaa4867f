import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import type { StreamsModuleOptions } from '@app/streams';
import type { BenchEnv } from './bench-env.js';
import { declarations } from './fixtures.js';
import { load } from './http-load.js';
import { diffCounts, emptyCounts, formatCounts, log, median, round, type RequestCounts } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
/** App instances per side, each a process of its own. */
const INSTANCES = 10;
/** The library's defaults: what a fleet gets without tuning. */
const MONITOR_INTERVAL_MS = 5_000;
const LEASE_MS = 15_000;

interface Instance {
  child: ChildProcess;
  baseUrl: string;
}

interface FleetHealth {
  status: number;
  role?: string;
  leader?: string;
  at?: string;
}

/**
 * 10 app instances (separate processes) declaring the same N streams, without and with
 * `fleet: { group }`, each side for a window of `windowMs`: the `STREAM.LIST` requests the server
 * receives, and each instance's `/health` p50 against its bare terminus endpoint (the
 * single-instance goal: ≤ 1.5×). Then the fleet's leader is killed with SIGKILL: the time until a
 * new leader's snapshot reaches the others, and whether any instance said down meanwhile.
 */
export async function fleetScenario(env: BenchEnv, n: number): Promise<void> {
  try {
    await measureFleet(env, n);
  } catch (err) {
    env.report.fail('10 fleet of 10 instances', n, 'fleet rows', err);
  }
}

async function measureFleet(env: BenchEnv, n: number): Promise<void> {
  const windowMs = env.quick ? 10_000 : 30_000;
  const streams = declarations(`c${n}`, n);
  const base: StreamsModuleOptions = { connection: { servers: env.url }, streams, monitorIntervalMs: MONITOR_INTERVAL_MS };
  const solo = await side(env, base, windowMs, false);
  const fleet = await side(env, { ...base, fleet: { group: 'bench', leaseMs: LEASE_MS } }, windowMs, true);
  const oneInstance = solo.counts['STREAM.LIST'] / INSTANCES;
  const lists = fleet.counts['STREAM.LIST'];
  env.report.row({
    scenario: '10 fleet of 10 instances: STREAM.LIST per window vs one instance',
    n,
    unit: 'requests',
    libraryMedianMs: lists,
    baselineMedianMs: oneInstance,
    requests: { library: fleet.counts, baseline: solo.counts },
    goal: '≤ 1.2x one instance alone (the baseline column: the 10 instances without fleet, each probed all the time, divided by 10)',
    met: lists <= 1.2 * oneInstance,
    notes:
      `${windowMs / 1000} s window, monitorIntervalMs ${MONITOR_INTERVAL_MS}, ${INSTANCES} processes per side; without fleet the ` +
      `server received ${solo.counts['STREAM.LIST']} lists (${formatCounts(solo.counts)}); with fleet ${formatCounts(fleet.counts)} ` +
      '(the followers send one STREAM.MSG.GET per leaseMs / 3 for the lease: "other")',
  });
  const worst = (ratios: number[]) => Math.max(...ratios);
  env.report.row({
    scenario: '10 fleet of 10 instances: /health p50 vs bare terminus, worst instance',
    n,
    libraryMedianMs: worst(fleet.p50s.map(([h]) => h)),
    baselineMedianMs: worst(solo.p50s.map(([h]) => h)),
    ratio: worst(fleet.p50s.map(([h, b]) => h / b)),
    requests: { library: emptyCounts(), baseline: emptyCounts() },
    goal: 'each instance ≤ 1.5x its bare terminus p50 (the single-instance goal); ratio: the worst instance of the fleet',
    met: fleet.p50s.every(([h, b]) => h <= 1.5 * b),
    notes:
      `per instance, /health and /health/baseline p50 in ms, fleet: ${fleet.p50s.map(([h, b]) => `${round(h, 1)}/${round(b, 1)}`).join(', ')}; ` +
      `without fleet (library column's baseline: its worst /health p50): ${solo.p50s.map(([h, b]) => `${round(h, 1)}/${round(b, 1)}`).join(', ')}`,
  });
  const f = fleet.failover;
  if (f) {
    env.report.row({
      scenario: '10 fleet failover after kill -9 of the leader',
      n,
      libraryMedianMs: f.ms,
      baselineMedianMs: LEASE_MS + MONITOR_INTERVAL_MS,
      requests: { library: emptyCounts(), baseline: emptyCounts() },
      goal: '≤ leaseMs + one monitor interval (the baseline column); no instance says a stream down that is up',
      met: f.ms <= LEASE_MS + MONITOR_INTERVAL_MS && f.downs === 0,
      notes: `time from SIGKILL until every surviving instance answers from a new leader's snapshot; ${f.downs} /health answers of 503 meanwhile (${f.polls} polls)`,
    });
  }
}

async function side(
  env: BenchEnv,
  options: StreamsModuleOptions,
  windowMs: number,
  failover: boolean,
): Promise<{ counts: RequestCounts; p50s: Array<[number, number]>; failover?: { ms: number; downs: number; polls: number } }> {
  log(`fleet: starting ${INSTANCES} instances ${options.fleet ? 'with' : 'without'} fleet`);
  const instances = await Promise.all(Array.from({ length: INSTANCES }, () => startInstance(options)));
  try {
    if (options.fleet) {
      await until(
        async () => (await Promise.all(instances.map((i) => health(i.baseUrl)))).every((h) => h.role === 'leader' || h.role === 'follower'),
        60_000,
      );
    }
    const before = await env.counter.snapshot();
    const end = Date.now() + windowMs;
    const latencies = instances.map(() => ({ health: [] as number[], bare: [] as number[] }));
    // Every instance is probed all the time (as a kubelet and a scraper would): one without fleet
    // then reads once per monitor interval, as one instance alone under the same probes does.
    while (Date.now() < end) {
      await Promise.all(
        instances.map(async (instance, i) => {
          latencies[i].health.push(...(await load(`${instance.baseUrl}/health`, 10, 2)).latencies);
          latencies[i].bare.push(...(await load(`${instance.baseUrl}/health/baseline`, 10, 2)).latencies);
        }),
      );
    }
    await delay(Math.max(0, end - Date.now()));
    const counts = diffCounts(await env.counter.snapshot(), before);
    const p50s = latencies.map((l): [number, number] => [median(l.health), median(l.bare)]);
    return { counts, p50s, failover: failover ? await killLeader(instances) : undefined };
  } finally {
    await Promise.all(instances.map((i) => stop(i.child)));
  }
}

async function killLeader(instances: Instance[]): Promise<{ ms: number; downs: number; polls: number }> {
  const states = await Promise.all(instances.map((i) => health(i.baseUrl)));
  const index = states.findIndex((h) => h.role === 'leader');
  const old = states[index].leader;
  instances[index].child.kill('SIGKILL');
  const killedAt = Date.now();
  const others = instances.filter((_, i) => i !== index);
  let downs = 0;
  let polls = 0;
  for (;;) {
    const now = await Promise.all(others.map((i) => health(i.baseUrl)));
    polls += now.length;
    downs += now.filter((h) => h.status !== 200).length;
    if (now.every((h) => h.leader !== undefined && h.leader !== old && Date.parse(h.at ?? '') > killedAt)) break;
    if (Date.now() - killedAt > 120_000) throw new Error('no new leader within 120 s');
    await delay(100);
  }
  return { ms: Date.now() - killedAt, downs, polls };
}

function startInstance(options: StreamsModuleOptions): Promise<Instance> {
  const child = spawn(process.execPath, [join(here, 'fleet-child.js'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('LISTENING ')) resolve({ child, baseUrl: line.slice('LISTENING '.length) });
    });
    child.once('exit', (code) => reject(new Error(`a fleet instance exited with ${String(code)} before it listened`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function health(baseUrl: string): Promise<FleetHealth> {
  return new Promise((resolve, reject) => {
    get(`${baseUrl}/health`, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        const streams = (JSON.parse(body) as { details?: { streams?: { checkedAt?: string; fleet?: { role: string; leader: string } } } })
          .details?.streams;
        resolve({ status: res.statusCode ?? 0, role: streams?.fleet?.role, leader: streams?.fleet?.leader, at: streams?.checkedAt });
      });
    }).on('error', reject);
  });
}

async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await delay(200);
  }
}
