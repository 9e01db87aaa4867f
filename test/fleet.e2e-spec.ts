// Fleet mode: five instances of one group (one a child process, which the test kills with -9),
// against a real nats-server (and a 3-node cluster).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import { connect, type NatsConnection } from 'nats';
import { StreamsModule, type StreamsModuleOptions } from '@app/streams';
import { StreamsHealthModule } from '@app/streams/health';
import { startNatsCluster, startNatsServer, type NatsTestCluster, type NatsTestServer } from '@app/streams/testing';
import { AppLogs } from './support/app-logs.js';
import { healthControllerFor } from './support/health-test-app.js';
import { JsApiSpy } from './support/js-api-spy.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait.js';

const INTERVAL_MS = 1_000;
const LEASE_MS = 3_000;
const CHILD = 'dist/fleet-e2e/test/fixtures/fleet-instance.js';

interface Health {
  status: number;
  fleet?: { role: string; leader: string; ageMs: number };
  reason?: string;
}

function options(servers: string | string[], group = 'orders-api'): StreamsModuleOptions {
  return {
    connection: { servers },
    streams: [{ name: 'fleet_orders', subjects: ['fleet_orders.>'] }],
    monitorIntervalMs: INTERVAL_MS,
    requestTimeoutMs: 2_000,
    drainTimeoutMs: 1_000,
    fleet: { group, leaseMs: LEASE_MS },
  };
}

function health(port: number): Promise<Health> {
  return new Promise((resolve, reject) => {
    get(`http://127.0.0.1:${port}/health`, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        const parsed = JSON.parse(body) as { details?: { streams?: { fleet?: Health['fleet']; reason?: string } } };
        const streams = parsed.details?.streams;
        resolve({ status: res.statusCode ?? 0, fleet: streams?.fleet, reason: streams?.reason });
      });
    }).on('error', reject);
  });
}

/** One instance in a child process; resolves once it listens. */
async function startChild(opts: StreamsModuleOptions): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = /^LISTENING (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the fleet instance exited with ${String(code)} before it listened`)));
  });
  return { child, port };
}

async function startApp(opts: StreamsModuleOptions, logs = new AppLogs()): Promise<{ app: INestApplication; port: number }> {
  const moduleRef = await Test.createTestingModule({
    imports: [StreamsModule.forRoot(opts), TerminusModule, StreamsHealthModule],
    controllers: [healthControllerFor()],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: logs });
  await app.listen(0, '127.0.0.1');
  return { app, port: (app.getHttpServer().address() as { port: number }).port };
}

function fleetSuite(name: string, start: () => Promise<{ urls: string[]; dispose(): Promise<void> }>): void {
  describe(name, () => {
    let target: { urls: string[]; dispose(): Promise<void> };
    let spy: JsApiSpy;
    let raw: NatsConnection;
    let child: ChildProcess | undefined;
    const apps: INestApplication[] = [];

    beforeAll(async () => {
      await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/fixtures/fleet-instance.tsconfig.json']);
      target = await start();
      spy = await JsApiSpy.start(target.urls[0]);
      raw = await connect({ servers: target.urls[0] });
    }, 120_000);

    afterAll(async () => {
      child?.kill('SIGKILL');
      await Promise.all(apps.map((app) => app.close()));
      await raw?.close();
      await spy?.close();
      await target?.dispose();
    }, 60_000);

    it('five instances: one monitor for the server, every /health down within two intervals of a deletion, a new leader within lease + interval after kill -9', async () => {
      // The child starts alone, so it leads; four in-process apps follow it.
      const first = await startChild(options(target.urls));
      child = first.child;
      await waitFor(
        () => health(first.port),
        (h) => h.fleet?.role === 'leader',
        { what: 'the child leads', timeoutMs: 20_000 },
      );
      const ports = [first.port];
      for (let i = 1; i < 5; i++) {
        const { app, port } = await startApp(options(target.urls[i % target.urls.length]));
        apps.push(app);
        ports.push(port);
      }
      const leader = (await health(first.port)).fleet!.leader;
      for (const port of ports.slice(1)) {
        await waitFor(
          () => health(port),
          (h) => h.status === 200 && h.fleet?.role === 'follower' && h.fleet.leader === leader,
          {
            what: `instance on ${port} follows ${leader}`,
          },
        );
      }

      // One monitor: about one list per interval for the group, where five instances alone would send five.
      await spy.settle();
      spy.subjects.length = 0;
      await delay(6 * INTERVAL_MS);
      await spy.settle();
      expect(spy.lists).toBeGreaterThanOrEqual(1);
      expect(spy.lists).toBeLessThanOrEqual(8);

      // A declared stream deleted: every instance's /health is 503 within two intervals.
      const jsm = await raw.jetstreamManager();
      await jsm.streams.delete('fleet_orders');
      const deletedAt = Date.now();
      const downAfter = await Promise.all(
        ports.map(async (port) => {
          await waitFor(
            () => health(port),
            (h) => h.status === 503,
            { what: `instance on ${port} down`, everyMs: 100, timeoutMs: 10_000 },
          );
          return Date.now() - deletedAt;
        }),
      );
      // Polls of every 100 ms and an HTTP round trip on top of the two intervals.
      expect(Math.max(...downAfter)).toBeLessThanOrEqual(2 * INTERVAL_MS + 500);

      // kill -9: no goodbye, the lease runs out; followers answer from the last snapshot meanwhile.
      child.kill('SIGKILL');
      const killedAt = Date.now();
      const during = await health(ports[1]);
      expect(during.fleet?.leader).toBe(leader);
      expect(during.fleet?.ageMs).toEqual(expect.any(Number));
      const replaced = await waitFor(
        () => Promise.all(ports.slice(1).map((port) => health(port))),
        (all) => all.some((h) => h.fleet?.role === 'leader' && h.fleet.leader !== leader),
        { what: 'a new leader', everyMs: 100, timeoutMs: 20_000 },
      );
      const tookMs = Date.now() - killedAt;
      const newLeader = replaced.find((h) => h.fleet?.role === 'leader')!.fleet!.leader;
      // On top of lease + interval: the new leader's first snapshot (a list) and the polls of four apps.
      expect(tookMs).toBeLessThanOrEqual(LEASE_MS + INTERVAL_MS + 1_000);
      // Every follower takes the new leader's snapshots.
      for (const port of ports.slice(1)) {
        await waitFor(
          () => health(port),
          (h) => h.fleet?.leader === newLeader,
          { what: `instance on ${port} follows ${newLeader}` },
        );
      }
    }, 120_000);
  });
}

fleetSuite('fleet on one server', async () => {
  const server: NatsTestServer = await startNatsServer();
  return { urls: [server.url], dispose: () => server.dispose() };
});

fleetSuite('fleet on a 3-node cluster', async () => {
  const cluster: NatsTestCluster = await startNatsCluster({ size: 3 });
  return { urls: cluster.urls, dispose: () => cluster.dispose() };
});

describe('fleet snapshot past its bound', () => {
  let server: NatsTestServer;

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/fixtures/fleet-instance.tsconfig.json']);
    server = await startNatsServer();
  }, 120_000);

  afterAll(() => server?.dispose());

  it("makes a follower's streams indicator down with the reason while the killed leader's lease still runs", async () => {
    // A lease far longer than the bound: nobody takes over during the test.
    const opts = { ...options(server.url, 'stale'), fleet: { group: 'stale', leaseMs: 60_000, staleAfterMs: 2_000 } };
    const { child, port: leaderPort } = await startChild(opts);
    let app: INestApplication | undefined;
    try {
      await waitFor(
        () => health(leaderPort),
        (h) => h.fleet?.role === 'leader',
        { what: 'the child leads', timeoutMs: 20_000 },
      );
      const follower = await startApp(opts);
      app = follower.app;
      await waitFor(
        () => health(follower.port),
        (h) => h.status === 200 && h.fleet?.role === 'follower',
        { what: 'a follower, up' },
      );
      child.kill('SIGKILL');
      const stale = await waitFor(
        () => health(follower.port),
        (h) => h.status === 503,
        { what: 'down when stale', everyMs: 100 },
      );
      expect(stale.reason).toMatch(/older than fleet.staleAfterMs \(2000 ms\): its leader is gone or cannot publish/);
    } finally {
      child.kill('SIGKILL');
      await app?.close();
    }
  }, 60_000);
});

describe('fleet leader cut off from the server', () => {
  let server: NatsTestServer;
  let proxy: TcpProxy;

  beforeAll(async () => {
    server = await startNatsServer();
    proxy = await TcpProxy.start(server.port);
  });

  afterAll(async () => {
    await proxy?.close();
    await server?.dispose();
  });

  it('steps down before its lease ends, before another instance takes over', async () => {
    const logsA = new AppLogs();
    const logsB = new AppLogs();
    const a = await startApp(options(proxy.url, 'cut'), logsA);
    let b: Awaited<ReturnType<typeof startApp>> | undefined;
    try {
      await waitFor(
        () => health(a.port),
        (h) => h.fleet?.role === 'leader',
        { what: 'A leads' },
      );
      b = await startApp(options(server.url, 'cut'), logsB);
      await waitFor(
        () => health(b!.port),
        (h) => h.fleet?.role === 'follower',
        { what: 'B follows' },
      );
      // Every byte held: A's renewals hang, it hears nothing, and nothing tells it it is cut off.
      // (Nest's static logger is the last app's: from here on both apps log, in order, into logsB.)
      proxy.hold();
      const stepped = /Fleet group "cut": stepped down, the lease could not be renewed in time/;
      const leads = /Leads fleet group "cut"/;
      await waitFor(
        () => Promise.resolve(logsB.lines.some((l) => stepped.test(l)) && logsB.lines.some((l) => leads.test(l))),
        (both) => both,
        { what: 'A steps down and B leads', everyMs: 50 },
      );
      expect(logsB.lines.findIndex((l) => stepped.test(l))).toBeLessThan(logsB.lines.findIndex((l) => leads.test(l)));
      expect(logsA.has(leads)).toBe(true);
    } finally {
      proxy.release();
      await b?.app.close();
      await a.app.close();
    }
  }, 60_000);
});

describe('fleet without permission for its bucket', () => {
  let server: NatsTestServer;

  beforeAll(async () => {
    server = await startNatsServer({
      users: [
        {
          user: 'app',
          password: 'pw',
          permissions: { publish: { allow: ['>'], deny: ['$KV.nestjs-jetstream-streams.>'] }, subscribe: { allow: ['>'] } },
        },
      ],
    });
  });

  afterAll(() => server?.dispose());

  it('warns once and monitors alone', async () => {
    const logs = new AppLogs();
    const { app, port } = await startApp({ ...options(server.url), connection: { servers: server.url, user: 'app', pass: 'pw' } }, logs);
    try {
      await waitFor(
        async () => logs.lines.filter((line) => /Fleet group "orders-api" is off for this instance/.test(line)).length,
        (n) => n > 0,
        { what: 'the warning' },
      );
      const h = await health(port);
      expect(h.status).toBe(200);
      expect(h.fleet).toBeUndefined();
      await delay(3 * INTERVAL_MS);
      expect(logs.lines.filter((line) => /Fleet group "orders-api" is off/.test(line))).toHaveLength(1);
    } finally {
      await app.close();
    }
  }, 60_000);
});
