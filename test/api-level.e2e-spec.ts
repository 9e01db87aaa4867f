import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NatsConnection, Subscription } from 'nats';
import { ApiLevelError, StreamService, StreamsModule, type ConsumerDeclaration, type StreamConfigInput } from '@app/streams';
import { JetStreamApi, type ApiCaller } from '../libs/streams/src/jetstream/jetstream-api.js';
import type { CreatedStreamInfo, StreamRequestConfig } from '../libs/streams/src/jetstream/api-types.js';
import { overrideJetStreamApi } from './support/override-jetstream-api.js';
import { uniqueName, useStreamsFixture } from './support/streams-fixture.js';

const HEADER = 'Nats-Required-Api-Level';

/** A level no server has yet: 2.15.1 is at 5. */
const FUTURE_LEVEL = 6;

/** A `JetStreamApi` whose stream creates ask for a level above every server's, as a field of a future server would. */
class FutureFieldJetStreamApi extends JetStreamApi {
  override createStream(config: StreamRequestConfig, caller: ApiCaller): Promise<CreatedStreamInfo> {
    return this.levelled(`STREAM.CREATE.${config.name}`, config, caller, { level: FUTURE_LEVEL, field: 'allow_future', since: '9.0.0' });
  }
}

/**
 * Records the `Nats-Required-Api-Level` header of every create and update of `stream` (its value,
 * or null when the request has none), from a plain subscriber in the same account.
 */
async function levelHeaders(nc: NatsConnection, stream: string): Promise<{ seen: (string | null)[]; sub: Subscription }> {
  const seen: (string | null)[] = [];
  const sub = nc.subscribe(`$JS.API.STREAM.*.${stream}`, {
    callback: (_err, msg) => {
      if (/\.(CREATE|UPDATE)\./.test(msg.subject)) seen.push(msg.headers?.get(HEADER) || null);
    },
  });
  await nc.flush();
  return { seen, sub };
}

/**
 * Issue 24, mixed-version clusters: a create or update whose config uses a field of nats-server
 * 2.11+ carries `Nats-Required-Api-Level` (ADR-44) with the level that field needs, so a server
 * below it refuses (10185, `ApiLevelError`) instead of dropping the field. Runs on every version.
 */
describe('the required API level header, against a real nats-server', () => {
  const fx = useStreamsFixture({ cacheTtlMs: 0 });
  const version = (): string => fx.raw.info?.version ?? '0.0.0';
  const atLeast = (since: string): boolean => version().localeCompare(since, undefined, { numeric: true }) >= 0;

  it.each<[string, number, string, StreamConfigInput]>([
    ['message TTLs', 1, '2.11.0', { allow_msg_ttl: true }],
    ['atomic batches', 2, '2.12.0', { allow_atomic: true }],
    ['async persistence', 2, '2.12.0', { persist_mode: 'async' }],
    ['fast batches', 4, '2.14.0', { allow_batched: true }],
  ])(
    'a stream with %s is created and updated asking for level %d, the level the server itself records',
    async (_what, level, since, config) => {
      const name = uniqueName('LEVEL');
      const subjects = [`${name}.>`];
      const { seen, sub } = await levelHeaders(fx.raw, name);
      if (!atLeast(since)) {
        // Refused before any request, as every newer field is (modern-fields.e2e-spec.ts).
        await expect(fx.streams.ensureStream(name, subjects, config)).rejects.toThrow(`needs nats-server ${since} or newer`);
        sub.unsubscribe();
        return;
      }

      const created = await fx.streams.ensureStream(name, subjects, config);
      const updated = await fx.streams.ensureStream(name, subjects, { ...config, max_msgs: 500 });
      await fx.raw.flush();
      sub.unsubscribe();

      expect([created.action, updated.action]).toEqual(['created', 'updated']);
      expect(seen).toEqual([String(level), String(level)]);
      // The server's own record of the level the stream needs (2.11+ writes it).
      expect(updated.info.config.metadata?.['_nats.req.level']).toBe(String(level));
    },
  );

  it('a declared consumer in a prioritized priority group is created asking for level 2', async () => {
    const name = uniqueName('CLEVEL');
    const consumers: ConsumerDeclaration[] = [{ durable_name: 'jobs', priority_groups: ['g'], priority_policy: 'prioritized' }];
    const seen: (string | null)[] = [];
    const sub = fx.raw.subscribe(`$JS.API.CONSUMER.CREATE.${name}.>`, {
      callback: (_err, msg) => seen.push(msg.headers?.get(HEADER) || null),
    });
    await fx.raw.flush();

    const outcome = await fx.streams.ensureStream(name, [`${name}.>`], { consumers }).then(
      (result) => result.consumers?.[0]?.action,
      (err: Error) => err.message,
    );
    await fx.raw.flush();
    sub.unsubscribe();

    if (!atLeast('2.12.0')) {
      expect(outcome).toMatch(/consumers\.jobs\.priority_(groups|policy).* needs nats-server 2\.1[12]\.0 or newer/);
      expect(seen).toEqual([]);
      return;
    }
    expect(outcome).toBe('created');
    expect(seen).toEqual(['2']);
  });

  it('sends no header for a config of fields every server knows', async () => {
    const name = uniqueName('NOLEVEL');
    const { seen, sub } = await levelHeaders(fx.raw, name);

    await fx.streams.ensureStream(name, [`${name}.>`], { max_msgs: 100 });
    await fx.streams.ensureStream(name, [`${name}.>`], { max_msgs: 200 });
    await fx.raw.flush();
    sub.unsubscribe();

    expect(seen).toEqual([null, null]);
  });

  describe('with a field a future server would know', () => {
    let app: INestApplication;

    beforeAll(async () => {
      const builder = Test.createTestingModule({ imports: [StreamsModule.forRoot({ connection: { servers: fx.server.url } })] });
      overrideJetStreamApi(builder, FutureFieldJetStreamApi);
      app = (await builder.compile()).createNestApplication({ logger: false });
      await app.init();
    });

    afterAll(async () => {
      await app?.close();
    });

    it('is refused with ApiLevelError, nothing written, by 2.12+; 2.9 and 2.10 ignore the header', async () => {
      const name = uniqueName('FUTURE');

      const outcome = await app
        .get(StreamService)
        .ensureStream(name, [`${name}.>`])
        .then(
          (result) => result.action,
          (err: unknown) => err,
        );

      // ADR-44: servers check the header from 2.12.0; 2.9.10 and 2.10.27 ignore it (measured; no 2.11 here).
      if (!atLeast('2.12.0')) {
        expect(outcome).toBe('created');
        return;
      }
      expect(outcome).toBeInstanceOf(ApiLevelError);
      expect(outcome).toMatchObject({ stream: name, field: 'allow_future', level: FUTURE_LEVEL, errCode: 10185 });
      expect((outcome as Error).message).toContain('allow_future needs JetStream API level 6');
      expect(await fx.streams.streamExists(name)).toBe(false);
    });
  });
});
