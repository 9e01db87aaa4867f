// Credentials in server URLs, whatever their characters, never leave the library: a table of
// userinfo against every place the library shows a server or an error (issue #22 item 2).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ConnectionService, NatsConnectionError, StreamsModule } from '@app/streams';
import { StreamsDashboardModule } from '@app/streams/dashboard';
import { StreamsHealthModule } from '@app/streams/health';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { runCli } from '../libs/streams/src/cli/run-cli.js';
import { healthControllerFor } from './support/health-test-app.js';
import { freePort } from './support/ports.js';
import { KeepingLogger } from './support/startup-app.js';
import { waitFor } from './support/wait.js';

/** [label, userinfo]: what goes between `nats://` and the host. Each secret part holds "S3C" or "zoë". */
const USERINFO: Array<[string, string]> = [
  ['a space', 'bob:S3CRETx S3CRETy'],
  ['a tab', 'bob:S3CRETx\tS3CRETy'],
  ['a newline', 'bob:S3CRETx\nS3CRETy'],
  ['a comma', 'bob:S3CRET,tail'],
  ['a slash', 'bob:S3CRET1/S3CRET2'],
  ['an @', 'bob:S3C@RET'],
  ['a colon', 'bob:S3C:RET'],
  ['a percent', 'bob:S3C%RET'],
  ['a hash', 'bob:S3C#RET'],
  ['a question mark', 'bob:S3C?RET'],
  ['unicode', 'zoë:S3CRÉT✓'],
  ['an empty user', ':S3CRET'],
  ['an empty password', 'zoë-S3C:'],
  ['a token', 'T0KEN-S3CRET'],
];

/** Every piece of a userinfo that must not show: the whole, and each part, raw and encoded. */
function secretsOf(userinfo: string): string[] {
  const parts = [userinfo, ...userinfo.split(/[:\s,/@#?%]/)].filter((p) => p.length >= 3 && /S3C|zoë|T0K/.test(p));
  return [...new Set(parts.flatMap((p) => [p, encodeURIComponent(p)]))];
}

function expectNoSecret(text: string, userinfo: string, where: string): void {
  const leaked = secretsOf(userinfo).filter((secret) => text.includes(secret));
  expect({ where, leaked }).toEqual({ where, leaked: [] });
}

/** The SSE feed's text until `done` accepts it. */
function readFeed(url: string, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = get(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (done(text)) {
          req.destroy();
          resolve(text);
        }
      });
    });
    req.on('error', (err) => (text ? undefined : reject(err)));
  });
}

describe('credentials in server URLs are used and never shown', () => {
  let server: NatsTestServer;

  beforeAll(async () => {
    // No authentication: the server takes whatever credentials a client presents.
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it.each(USERINFO)(
    'with %s: not in ConnectionService.servers, the dashboard page and feed, /health 503, nor Terminus log',
    async (_label, userinfo) => {
      const url = `nats://${userinfo}@127.0.0.1:${server.port}`;
      const logger = new KeepingLogger();
      const moduleRef = await Test.createTestingModule({
        imports: [
          StreamsModule.forRoot({ connection: { servers: [url], reconnectTimeWait: 100 }, monitorIntervalMs: 200, drainTimeoutMs: 500 }),
          StreamsDashboardModule.register({ path: '/ui', historyMinutes: 1 }),
          TerminusModule,
          StreamsHealthModule,
        ],
        controllers: [healthControllerFor()],
      }).compile();
      const app: INestApplication = moduleRef.createNestApplication({ logger });
      await app.listen(0, '127.0.0.1');
      const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      try {
        const connection = app.get(ConnectionService);
        const page = await request(app.getHttpServer()).get('/ui');
        const feed = await readFeed(`${base}/ui/events`, (t) => t.includes('\n\n'));

        await server.stop('SIGKILL');
        const down = await waitFor(
          () => request(app.getHttpServer()).get('/health'),
          (r) => r.status === 503,
          { what: '/health 503' },
        );
        const outageFeed = await readFeed(`${base}/ui/events`, (t) => t.includes('"stale":true'));

        expect(connection.servers).toEqual([`nats://***@127.0.0.1:${server.port}`]);
        expect(page.status).toBe(200);
        for (const [where, text] of [
          ['servers', JSON.stringify(connection.servers)],
          ['status', JSON.stringify(connection.currentStatus)],
          ['page', page.text],
          ['feed', feed],
          ['/health 503', down.text],
          ['feed in an outage', outageFeed],
          ['logs', logger.lines.join('\n')],
        ] as const) {
          expectNoSecret(text, userinfo, where);
        }
        expect(down.text).toContain('***@127.0.0.1');
        expect(logger.lines.some((l) => l.includes('Health Check has failed'))).toBe(true);
      } finally {
        await app.close();
        await server.restart();
      }
    },
  );

  it.each(USERINFO)('with %s: not in any form of NatsConnectionError, nor the start-up warnings', async (_label, userinfo) => {
    const port = await freePort();
    const logger = new KeepingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [
        StreamsModule.forRoot({
          connection: { servers: [`nats://${userinfo}@127.0.0.1:${port}`, `tls://${userinfo}@127.0.0.1:${port}`] },
          startup: { timeoutMs: 700, retryIntervalMs: 100 },
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger });

    const error = (await app.init().catch((e: unknown) => e)) as NatsConnectionError;

    expect(error).toBeInstanceOf(NatsConnectionError);
    expect(error.servers).toEqual([`nats://***@127.0.0.1:${port}`, `tls://***@127.0.0.1:${port}`]);
    for (const [where, text] of [
      ['message', error.message],
      ['stack', String(error.stack)],
      ['JSON', JSON.stringify(error)],
      ['inspect', inspect(error, { depth: 10 })],
      ['servers', JSON.stringify(error.servers)],
      ['warnings', logger.lines.join('\n')],
    ] as const) {
      expectNoSecret(text, userinfo, where);
    }
    expect(logger.lines.some((l) => l.includes('not reachable'))).toBe(true);
  });

  describe('the plan command', () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'secrets-e2e-'));
      writeFileSync(join(dir, 'streams.mjs'), 'export const streams = [{ name: "secrets_plan", subjects: ["secrets_plan.>"] }];\n');
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    async function plan(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
      let out = '';
      const write = (t: string) => (out += t);
      const code = await runCli(['plan', 'streams.mjs', ...argv], { stdout: write, stderr: write, env, cwd: dir });
      return { code, out };
    }

    it.each(USERINFO)('with %s: not on stdout, stderr or in --json, from --server and NATS_URL', async (_label, userinfo) => {
      const good = `nats://${userinfo}@127.0.0.1:${server.port}`;
      const refused = `nats://${userinfo}@127.0.0.1:${await freePort()}`;
      const list = `${good},nats://${userinfo}@127.0.0.1:${server.port}`;
      const unparsable = `nats://${userinfo}@127.0.0.1:99999`;

      const runs = [
        await plan(['--server', list]),
        await plan(['--json'], { NATS_URL: good }),
        await plan(['--server', refused, '--timeout', '300']),
        await plan(['--json', '--timeout', '300'], { NATS_URL: refused }),
        await plan(['--server', unparsable, '--json']),
      ];

      expect(runs.map((r) => r.code)).toEqual([1, 1, 2, 2, 2]);
      runs.forEach((run, i) => expectNoSecret(run.out, userinfo, `run ${i}`));
      expect(runs[0].out).toContain(`against nats://127.0.0.1:${server.port}, nats://127.0.0.1:${server.port}`);
      expect(runs[4].out).toContain('nats://***@127.0.0.1:99999');
    });
  });
});
