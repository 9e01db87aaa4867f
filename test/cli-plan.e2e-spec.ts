// The `nestjs-jetstream-streams plan` command run through its main function (`runCli`, what the
// executable calls) against real servers: buckets and streamDefaults in the plan, the module's
// JetStream domain, and the exit statuses 0 / 1 / 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { startNatsLeafTopology, startNatsServer, type NatsLeafTopology, type NatsTestServer } from '@app/streams/testing';
import { connect, StringCodec, type NatsConnection } from 'nats';
import { runCli } from '../libs/streams/src/cli/run-cli.js';
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
    expect(JSON.parse(badFlag.stdout).error.message).toBe('unknown option --srv; known: --server/-s, --json, --timeout, --help/-h.');
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
