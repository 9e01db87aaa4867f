import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { ConnectionService, InvalidOptionsError, NatsConnectionError, StreamService, StreamsModule } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { get } from 'node:http';
import { inspect } from 'node:util';
import request from 'supertest';
import { startHealthTestApp } from './support/health-test-app.js';
import { JsApiSpy } from './support/js-api-spy.js';
import { startStreamsApp } from './support/streams-app.js';

/** Connections the server sees, from its monitoring endpoint. */
function connections(server: NatsTestServer): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${server.monitorUrl}/connz`, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve((JSON.parse(body) as { num_connections: number }).num_connections));
    }).on('error', reject);
  });
}

describe('options are checked before anything connects (issue #12 item 7)', () => {
  let server: NatsTestServer;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('refuses a timeout read from an environment variable (a string) in forRoot, before any connection', async () => {
    const bad = () => StreamsModule.forRoot({ connection: { servers: server.url }, startup: { timeoutMs: '3000' as never } });

    expect(bad).toThrow(InvalidOptionsError);
    expect(bad).toThrow(/startup\.timeoutMs: got '3000'; must be a whole number from 1 to 2147483647/);
    expect(await connections(server)).toBe(0);
  });

  it('refuses what a forRootAsync factory returns (concurrency 0) when the module is created, before any connection', async () => {
    const moduleRef = Test.createTestingModule({
      imports: [StreamsModule.forRootAsync({ useFactory: () => ({ connection: { servers: server.url }, concurrency: 0 }) })],
    });

    const error = await moduleRef.compile().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ option: 'concurrency', value: 0 });
    expect(await connections(server)).toBe(0);
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["an API prefix with an empty token ('$JS..API')", { jetstream: { apiPrefix: '$JS..API' } }, 'jetstream.apiPrefix'],
    ["an API prefix with an empty token inside ('$JS.API..x')", { jetstream: { apiPrefix: '$JS.API..x' } }, 'jetstream.apiPrefix'],
    ['an API prefix with a NUL', { jetstream: { apiPrefix: '\u0000JS' } }, 'jetstream.apiPrefix'],
    ['a domain with a control character', { jetstream: { domain: 'hub\u0001' } }, 'jetstream.domain'],
    ['a misspelt connection option (usr)', { connection: { usr: 'app' } }, 'connection.usr'],
    ['reconnectTimeWait 2^31 (overflows a timer)', { connection: { reconnectTimeWait: 2 ** 31 } }, 'connection.reconnectTimeWait'],
    ['a connect timeout of 2^31', { connection: { timeout: 2 ** 31 } }, 'connection.timeout'],
    ["maxReconnectAttempts 'forever'", { connection: { maxReconnectAttempts: 'forever' } }, 'connection.maxReconnectAttempts'],
  ];

  it.each(cases)('forRootAsync refuses %s at start-up with InvalidOptionsError, and nothing connects', async (_label, bad, option) => {
    const options = { ...bad, connection: { servers: server.url, ...(bad.connection as object) } };
    const moduleRef = Test.createTestingModule({ imports: [StreamsModule.forRootAsync({ useFactory: () => options as never })] });

    const error = await moduleRef.compile().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ option });
    expect(await connections(server)).toBe(0);
  });

  it.each([
    ['forRoot(null)', () => StreamsModule.forRoot(null as never), '(options)'],
    ['forRootAsync(null)', () => StreamsModule.forRootAsync(null as never), '(options)'],
    ["isGlobal: 'no'", () => StreamsModule.forRoot({ connection: { servers: server.url }, isGlobal: 'no' as never }), 'isGlobal'],
  ])('%s is an InvalidOptionsError, not a TypeError, before any connection', async (_label, act, option) => {
    expect(act).toThrow(InvalidOptionsError);
    expect(act).toThrow(`option ${option}: got`);
    expect(await connections(server)).toBe(0);
  });
});

describe('InvalidOptionsError never repeats a value that may be a secret (issue #22 item 2)', () => {
  let server: NatsTestServer;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  const SECRET = 'S3CRET x/y,z@w';
  const cases: Array<[string, (url: string) => Record<string, unknown>, string]> = [
    ['an env URL passed as connection', (url) => ({ connection: url.replace('nats://', `nats://u:${SECRET}@`) }), 'connection'],
    ['a top-level token', (url) => ({ connection: { servers: url }, token: SECRET }), 'token'],
    ['a top-level pass', (url) => ({ connection: { servers: url }, pass: SECRET }), 'pass'],
    [
      'an nkey seed as authenticator',
      (url) => ({ connection: { servers: url, authenticator: `SUA${SECRET}` } }),
      'connection.authenticator',
    ],
    ['a PEM as tls', (url) => ({ connection: { servers: url, tls: `-----BEGIN ${SECRET}` } }), 'connection.tls'],
    ['a misspelt passwd', (url) => ({ connection: { servers: url, passwd: SECRET } }), 'connection.passwd'],
    [
      'a server list with credentials and an address the client cannot parse',
      (url) => ({ connection: { servers: [url.replace('nats://', `nats://u:${SECRET}@`), `nats://u:${SECRET}@h:99999`] } }),
      'connection.servers[1]',
    ],
  ];

  it.each(cases)(
    '%s: a forRootAsync factory returning it fails at start-up, nothing connects, no form of the error holds it',
    async (_label, make, option) => {
      const moduleRef = Test.createTestingModule({
        imports: [StreamsModule.forRootAsync({ useFactory: () => make(server.url) as never })],
      });

      const error = (await moduleRef.compile().catch((e: unknown) => e)) as InvalidOptionsError;

      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error.option).toBe(option);
      for (const text of [
        error.message,
        String(error.stack),
        JSON.stringify(error),
        inspect(error, { depth: 10 }),
        JSON.stringify(error.value),
      ]) {
        expect(text).not.toContain('S3CRET');
      }
      expect(await connections(server)).toBe(0);
    },
  );
});

describe('credentials with a comma are used and never shown (issue #12 item 11)', () => {
  let server: NatsTestServer;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    server = await startNatsServer({ users: [{ user: 'alice', password: 'S3CRET,tail' }] });
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('connects with nats://alice:S3CRET,tail@host, and neither the servers, the status nor /health show the password', async () => {
    const url = server.url.replace('nats://', 'nats://alice:S3CRET,tail@');
    app = await startHealthTestApp({ connection: { servers: url }, streams: [{ name: 'comma', subjects: ['comma.>'] }] });
    const connection = app.get(ConnectionService);

    const health = await request(app.getHttpServer()).get('/health');

    expect(health.status).toBe(200);
    expect(connection.servers).toEqual([server.url.replace('nats://', 'nats://***@')]);
    expect(JSON.stringify(connection.currentStatus)).not.toContain('S3CRET');
    expect(health.text).not.toContain('S3CRET');
    expect(await app.get(StreamService).listStreams()).toEqual(['comma']);
  });

  it('a refused password is a NatsConnectionError that does not print it', async () => {
    const url = server.url.replace('nats://', 'nats://alice:WR0NG,tail@');

    const error = await startStreamsApp({ connection: { servers: url }, startup: { wait: false } }, { logger: false }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(NatsConnectionError);
    expect((error as Error).message).toContain('***@127.0.0.1');
    expect(`${(error as Error).message} ${String((error as Error).cause)}`).not.toContain('WR0NG');
  });
});

describe('a declaration with thousands of subjects (issue #12 item 9)', () => {
  let server: NatsTestServer;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('is validated, planned with one stream list (not one per subject), and created', async () => {
    const app = await startStreamsApp({ connection: { servers: server.url } }, { logger: false });
    const streams = app.get(StreamService);
    const spy = await JsApiSpy.start(server.url);
    const subjects = Array.from({ length: 2_000 }, (_, i) => `many.${i}.>`);
    try {
      const planned = await spy.during(app.get(ConnectionService).getConnection(), () => streams.planStream('many', subjects));
      const created = await streams.ensureStream('many', subjects);

      expect(planned.result?.action).toBe('create');
      // The stream, one list of every stream for overlaps, and a look for a leftover migration copy.
      expect(planned.requests).toEqual(['STREAM.INFO.many', 'STREAM.LIST', 'STREAM.INFO.many__migrating']);
      expect(created.info.config.subjects).toHaveLength(2_000);
    } finally {
      await spy.close();
      await app.close();
    }
  });
});
