// The `nestjs-jetstream-streams plan` command run through its main function (`runCli`, what the
// executable calls) against real servers: buckets and streamDefaults in the plan, the module's
// JetStream domain, and the exit statuses 0 / 1 / 2.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { startNatsLeafTopology, startNatsServer, type NatsLeafTopology, type NatsTestServer } from '@app/streams/testing';
import { connect, StringCodec, type NatsConnection } from 'nats';
import { StreamService } from '@app/streams';
import { runCli } from '../libs/streams/src/cli/run-cli.js';
import { getJson } from './support/get-json.js';
import { freePort } from './support/ports.js';
import { startStreamsApp } from './support/streams-app.js';
import { uniqueName } from './support/streams-fixture.js';

let dir: string;

/** Writes a declarations module (`export default <options>`) and returns its file name. */
function declarations(options: Record<string, unknown>): string {
  const file = `${uniqueName('decl')}.mjs`;
  writeFileSync(join(dir, file), `export default ${JSON.stringify(options)};\n`);
  return file;
}

/** Runs `nestjs-jetstream-streams <argv>` in {@link dir} and captures what it prints. */
async function plan(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await runCli(argv, { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env: {}, cwd: dir });
  return { code, ...out };
}

type JsonPlan = { name: string; action: string; changes: Array<{ field: string }>; dataLoss?: { messages: number } };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-plan-e2e-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plan command: streams and buckets on one server', () => {
  let server: NatsTestServer;
  let raw: NatsConnection;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    raw = await connect({ servers: server.url });
  });

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await raw?.close();
    await server?.dispose();
  });

  it('plans the buckets of a forRoot-options export as KV_<bucket>: 1 while missing, 0 once ensured, 1 for a history below what a key holds', async () => {
    const stream = uniqueName('cli_orders');
    const bucket = uniqueName('cli_sessions');
    const options = {
      connection: { servers: 'ignored:4222' },
      streams: [{ name: stream, subjects: [`${stream}.>`] }],
      buckets: [{ bucket, history: 5 }],
    };
    const file = declarations(options);

    const missing = await plan('plan', file, '-s', server.url, '--json');
    apps.push(await startStreamsApp({ ...options, connection: { servers: server.url } }, { logger: false }));
    const ensured = await plan('plan', file, '-s', server.url);
    const kv = await (await raw.jetstream()).views.kv(bucket);
    for (let i = 0; i < 5; i++) await kv.put('user', StringCodec().encode(`v${i}`));
    const lossy = await plan('plan', declarations({ ...options, buckets: [{ bucket, history: 2 }] }), '-s', server.url);

    expect(missing.code).toBe(1);
    expect((JSON.parse(missing.stdout).plans as JsonPlan[]).map((p) => `${p.name}:${p.action}`)).toEqual([
      `${stream}:create`,
      `KV_${bucket}:create`,
    ]);
    expect(ensured.code).toBe(0);
    expect(ensured.stdout).toContain(`KV_${bucket}`);
    expect(ensured.stdout).toContain('All 2 streams match.');
    expect(lossy.code).toBe(1);
    expect(lossy.stdout).toMatch(
      new RegExp(
        `KV_${bucket} +data-loss +max_msgs_per_subject: 5 -> 2\\n +would delete 3 messages \\(\\d+ B\\):\\n +history 5 -> 2 deletes 3 of `,
      ),
    );
    expect(lossy.stdout).toContain(`to accept the loss, set allowDataLoss: true on bucket "${bucket}"`);
    expect(lossy.stdout).not.toContain('was left as it was');
  });

  it("honours the module's streamDefaults, and says so for one matching stream in the singular", async () => {
    const stream = uniqueName('cli_defaults');
    const options = { streams: [{ name: stream, subjects: [`${stream}.>`] }], streamDefaults: { max_msgs: 777 } };
    apps.push(await startStreamsApp({ ...options, connection: { servers: server.url } }, { logger: false }));

    const same = await plan('plan', declarations(options), '-s', server.url);
    const other = await plan('plan', declarations({ ...options, streamDefaults: { max_msgs: 778 } }), '-s', server.url, '--json');

    expect(same.code).toBe(0);
    expect(same.stdout).toContain('The 1 declared stream matches.');
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout).plans).toEqual([
      expect.objectContaining({ name: stream, action: 'update', changes: [{ field: 'max_msgs', current: 777, desired: 778 }] }),
    ]);
  });

  it('reports a bucket declaration the library refuses as invalid, as planStreams does for a stream, and exits 1', async () => {
    const result = await plan('plan', declarations({ buckets: [{ bucket: 'bad.name' }, 'sessions'] }), '-s', server.url, '--json');

    expect(result.code).toBe(1);
    const plans = JSON.parse(result.stdout).plans as Array<JsonPlan & { error: { name: string; message: string } }>;
    expect(plans.map((p) => `${p.name}:${p.action}:${p.error.name}`)).toEqual([
      'KV_bad.name:invalid:InvalidStreamConfigError',
      'KV_undefined:invalid:InvalidArgumentError',
    ]);
  });

  it('exits 2 with { server, error } for a server that is no NATS URL, a bad flag, and a server that does not answer', async () => {
    const file = declarations({ streams: [{ name: uniqueName('cli_x'), subjects: ['cli.x.>'] }] });

    const notNats = await plan('plan', file, '-s', 'http://x:y', '--json');
    const badFlag = await plan('plan', file, '--json', '--srv', server.url);
    const noServer = await plan('plan', file, '-s', `nats://127.0.0.1:${await freePort()}`, '--timeout', '500', '--json');

    expect([notNats.code, badFlag.code, noServer.code]).toEqual([2, 2, 2]);
    expect(JSON.parse(notNats.stdout).error.message).toMatch(/^--server: "http:\/\/x:y" is not a NATS server URL/);
    expect(JSON.parse(badFlag.stdout).error.message).toBe(
      'unknown option --srv; known: --server/-s, --module, --connection, --json, --timeout, --help/-h.',
    );
    expect(JSON.parse(noServer.stdout)).toMatchObject({
      server: expect.stringMatching(/^nats:\/\/127\.0\.0\.1:\d+$/),
      error: { name: 'NatsConnectionError' },
    });
  });
});

describe("plan command: the module's JetStream domain", () => {
  let topology: NatsLeafTopology;
  let hubApp: INestApplication | undefined;

  beforeAll(async () => {
    topology = await startNatsLeafTopology();
  });

  afterAll(async () => {
    await hubApp?.close();
    await topology?.dispose();
  });

  it('checks the hub domain from a leaf node when the module says jetstream: { domain }, and the leaf domain when it does not', async () => {
    const stream = uniqueName('cli_hub');
    const bucket = uniqueName('cli_hub_kv');
    const declared = { streams: [{ name: stream, subjects: [`${stream}.>`] }], buckets: [{ bucket }] };
    hubApp = await startStreamsApp({ ...declared, connection: { servers: topology.hub.url } }, { logger: false });

    const inHub = await plan(
      'plan',
      declarations({ ...declared, jetstream: { domain: topology.hubDomain } }),
      '-s',
      topology.leaf.url,
      '--json',
    );
    const inLeaf = await plan('plan', declarations(declared), '-s', topology.leaf.url, '--json');

    expect(inHub.code).toBe(0);
    expect((JSON.parse(inHub.stdout).plans as JsonPlan[]).map((p) => `${p.name}:${p.action}`)).toEqual([
      `${stream}:unchanged`,
      `KV_${bucket}:unchanged`,
    ]);
    expect(inLeaf.code).toBe(1);
    expect((JSON.parse(inLeaf.stdout).plans as JsonPlan[]).map((p) => `${p.name}:${p.action}`)).toEqual([
      `${stream}:create`,
      `KV_${bucket}:create`,
    ]);
  });
});

describe('plan command: an app module as declared', () => {
  let server: NatsTestServer;
  let production: NatsTestServer;
  // Inside the repository, so that the app modules resolve @nestjs/common and nats as an app's would.
  let appDir: string;

  beforeAll(async () => {
    [server, production] = await Promise.all([startNatsServer(), startNatsServer()]);
    mkdirSync(join('node_modules', '.cache'), { recursive: true });
    appDir = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'cli-plan-e2e-'));
  });

  afterAll(async () => {
    await Promise.all([server?.dispose(), production?.dispose()]);
    rmSync(appDir, { recursive: true, force: true });
  });

  /**
   * Writes a compiled app module: forRootAsync (its factory reads a global settings module) and
   * forRoot of a second connection pointed at `production`, a forFeature of each, and a provider
   * that would connect to `production` if the app were started.
   */
  function appModule(prefix: string): string {
    const file = join(appDir, `${uniqueName('app_module')}.mjs`);
    writeFileSync(
      file,
      `import { Global, Injectable, Module } from '@nestjs/common';
import { connect } from 'nats';
import { StreamsModule } from '@app/streams';

class Settings { streams = [{ name: '${prefix}_orders', subjects: ['${prefix}.orders.>'] }]; }
Injectable()(Settings);
class SettingsModule {}
Global()(SettingsModule);
Module({ providers: [Settings], exports: [Settings] })(SettingsModule);

class ProductionClient { constructor() { this.pending = connect({ servers: '${production.url}' }); } }
Injectable()(ProductionClient);

class BillingModule {}
Module({
  imports: [
    StreamsModule.forFeature({ streams: [{ name: '${prefix}_invoices', subjects: ['${prefix}.invoices.>'] }], buckets: [{ bucket: '${prefix}_carts' }] }),
    StreamsModule.forFeature([{ name: '${prefix}_eu_invoices', subjects: ['${prefix}.eu.invoices.>'] }], 'eu'),
  ],
  providers: [ProductionClient],
})(BillingModule);

export class AppModule {}
Module({
  imports: [
    SettingsModule,
    StreamsModule.forRootAsync({
      inject: [Settings],
      useFactory: (settings) => ({ connection: { servers: '${production.url}' }, streams: settings.streams, streamDefaults: { max_msgs: 77 } }),
    }),
    StreamsModule.forRoot({ name: 'eu', connection: { servers: '${production.url}' }, streams: [{ name: '${prefix}_eu_orders', subjects: ['${prefix}.eu.orders.>'] }] }),
    BillingModule,
  ],
  providers: [ProductionClient],
})(AppModule);
`,
    );
    return file;
  }

  it('plans forRootAsync (its factory run), forRoot and every forFeature of the chosen connection, and connects nothing of the app', async () => {
    const prefix = uniqueName('mod');
    const file = appModule(prefix);
    const byDefault = await plan('plan', file, '-s', server.url, '--json');
    const eu = await plan('plan', file, '--module', 'AppModule', '--connection', 'eu', '-s', server.url, '--json');

    expect(byDefault.code).toBe(1);
    expect((JSON.parse(byDefault.stdout).plans as JsonPlan[]).map((p) => `${p.name}:${p.action}`)).toEqual([
      `${prefix}_orders:create`,
      `${prefix}_invoices:create`,
      `KV_${prefix}_carts:create`,
    ]);
    expect((JSON.parse(eu.stdout).plans as JsonPlan[]).map((p) => `${p.name}:${p.action}`)).toEqual([
      `${prefix}_eu_orders:create`,
      `${prefix}_eu_invoices:create`,
    ]);
    // Neither the app's connections nor its own client ever reached the production server: no
    // client ever sent it a CONNECT (which names the client's language). The testing kit's
    // readiness probe, a bare TCP connect, is listed too, without one, when the server gets to it.
    const connz = (await getJson(`${production.monitorUrl}/connz?state=all`)) as { connections: Array<{ lang?: string }> | null };
    expect((connz.connections ?? []).filter((c) => c.lang)).toEqual([]);
  });

  it('honours the streamDefaults the factory returned: 0 once ensured with them', async () => {
    const prefix = uniqueName('mod');
    const file = appModule(prefix);
    const app = await startStreamsApp(
      {
        connection: { servers: server.url },
        streams: [{ name: `${prefix}_orders`, subjects: [`${prefix}.orders.>`] }],
        buckets: [{ bucket: `${prefix}_carts` }],
        streamDefaults: { max_msgs: 77 },
      },
      { logger: false, imports: [] },
    );
    try {
      await app.get(StreamService).ensureStream(`${prefix}_invoices`, [`${prefix}.invoices.>`], { max_msgs: 77 });

      const result = await plan('plan', file, '-s', server.url);

      expect(result.stdout).toContain('All 3 streams match.');
      expect(result.code).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('takes the exports.default that tsc compiles `export default { streams }` to in a CommonJS app', async () => {
    const cjs = join(dir, uniqueName('cjs'));
    mkdirSync(cjs);
    writeFileSync(join(cjs, 'package.json'), '{ "type": "commonjs" }');
    const name = uniqueName('cli_cjs');
    writeFileSync(
      join(cjs, 'streams.js'),
      `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = { streams: [{ name: '${name}', subjects: ['${name}.>'] }] };\n`,
    );

    const result = await plan('plan', join(cjs, 'streams.js'), '-s', server.url, '--json');

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).plans).toEqual([expect.objectContaining({ name, action: 'create' })]);
  });

  it('exits 2 with a clear error for a module whose top-level await never settles, once --timeout has passed', async () => {
    const file = `${uniqueName('never')}.mjs`;
    writeFileSync(join(dir, file), 'await new Promise(() => {});\nexport const streams = [];\n');

    const result = await plan('plan', file, '-s', server.url, '--timeout', '500', '--json');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /could not be loaded: did not finish loading within 500 ms \(--timeout\): a top-level await that never settles/,
    );
    expect(JSON.parse(result.stdout).error).toMatchObject({ name: 'DeclarationsModuleError' });
  });
});
