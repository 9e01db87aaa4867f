import type { INestApplication } from '@nestjs/common';
import { ConnectionService, StreamService, type StreamPlan } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { connect, type NatsConnection } from 'nats';
import { startStreamsApp } from './support/streams-app.js';
import { uniqueName } from './support/streams-fixture.js';
import { waitFor } from './support/wait.js';

/** What a user who may only read JetStream is allowed: infos, lists and stored messages. */
const READS = [
  '$JS.API.INFO',
  '$JS.API.STREAM.INFO.>',
  '$JS.API.STREAM.LIST',
  '$JS.API.STREAM.NAMES',
  '$JS.API.CONSUMER.INFO.>',
  '$JS.API.CONSUMER.LIST.>',
  '$JS.API.STREAM.MSG.GET.>',
];
const UNLIMITED = { max_age: 0, max_msgs: -1, max_msgs_per_subject: -1 } as const;

describe('plans write nothing: a max_age reduction is counted by reading message times, the same for a read-only user', () => {
  let server: NatsTestServer;
  let raw: NatsConnection;
  /** Every JetStream API request subject any client sends (seen by a subscriber in the same account). */
  const seen: string[] = [];
  const apps: INestApplication[] = [];
  const app = (user: string): INestApplication => apps[['admin', 'reader', 'blind'].indexOf(user)];
  const streamsOf = (user: string): StreamService => app(user).get(StreamService);

  beforeAll(async () => {
    server = await startNatsServer({
      users: [
        { user: 'admin', password: 'pw' },
        { user: 'reader', password: 'pw', permissions: { publish: READS, subscribe: ['_INBOX.>'] } },
        { user: 'blind', password: 'pw', permissions: { publish: READS.filter((s) => !s.includes('MSG.GET')), subscribe: ['_INBOX.>'] } },
      ],
    });
    for (const user of ['admin', 'reader', 'blind']) {
      apps.push(await startStreamsApp({ connection: { servers: server.url, user, pass: 'pw' }, cacheTtlMs: 0 }, { logger: false }));
    }
    raw = await connect({ servers: server.url, user: 'admin', pass: 'pw' });
    raw.subscribe('$JS.API.>', { callback: (_err, msg) => seen.push(msg.subject.slice('$JS.API.'.length)) });
    await raw.flush();
  });

  afterAll(async () => {
    for (const each of apps.reverse()) await each.close();
    await raw?.close();
    await server?.dispose();
  });

  const modern = (): boolean => {
    const [major, minor] = (raw.info?.version ?? '0.0').split('.').map(Number);
    return major > 2 || minor >= 11;
  };

  /** A stream made by other tooling with `old` messages, then (2.5 s later) `young` ones. */
  async function agedStream(old: number, young: number): Promise<string> {
    const name = uniqueName('AGED');
    const jsm = await raw.jetstreamManager();
    await jsm.streams.add({ name, subjects: [`${name}.>`] });
    const js = raw.jetstream();
    for (let i = 0; i < old; i++) await js.publish(`${name}.old`);
    const oldest = Date.now();
    await waitFor(
      async () => Date.now() - oldest,
      (ms) => ms > 2_500,
      { everyMs: 100, what: 'the first messages to age' },
    );
    for (let i = 0; i < young; i++) await js.publish(`${name}.new`);
    return name;
  }

  /** The requests `act` sends through `via`'s connection, flushed on both sides before and after. */
  async function during<T>(via: INestApplication, act: () => Promise<T>): Promise<{ result: T; requests: string[] }> {
    const nc = via.get(ConnectionService).getConnection();
    await nc.flush();
    await raw.flush();
    seen.length = 0;
    const result = await act();
    await nc.flush();
    await raw.flush();
    return { result, requests: [...seen] };
  }

  /** The plan's decision and its figures (an error object differs by instance). */
  const gist = (plan: StreamPlan) => ({ action: plan.action, changes: plan.changes, dataLoss: plan.dataLoss });

  it('counts exactly, makes no consumer and writes nothing; a user allowed only to read gets the same plan', async () => {
    const name = await agedStream(12, 8);
    const declared = { ...UNLIMITED, max_age: '2s' };

    const byAdmin = await during(app('admin'), () => streamsOf('admin').planStream(name, [`${name}.>`], declared));
    const byReader = await streamsOf('reader').planStream(name, [`${name}.>`], declared);

    expect(byAdmin.result).toMatchObject({ action: 'data-loss', dataLoss: { messages: 12, exact: true } });
    expect(byAdmin.requests.filter((r) => !/^STREAM\.(INFO|MSG\.GET)\./.test(r))).toEqual([]);
    const reads = byAdmin.requests.filter((r) => r.startsWith('STREAM.MSG.GET.')).length;
    // One read by start time on 2.11+; a binary search over 20 sequences before.
    if (modern()) expect(reads).toBe(1);
    else expect(reads).toBeLessThanOrEqual(6);
    expect(gist(byReader)).toEqual(gist(byAdmin.result));
  });

  it('stays exact with messages deleted in between (their list is read)', async () => {
    const name = await agedStream(12, 8);
    const jsm = await raw.jetstreamManager();
    for (const seq of [3, 5, 15]) await jsm.streams.deleteMessage(name, seq);

    const plan = await streamsOf('reader').planStream(name, [`${name}.>`], { ...UNLIMITED, max_age: '2s' });

    expect(plan.dataLoss).toMatchObject({ messages: 10, exact: true, fields: [{ field: 'max_age', messages: 10 }] });
  });

  it('gives a user who may not read messages an estimate from the first and last message times, said as such', async () => {
    const name = await agedStream(12, 8);

    const plan = await streamsOf('blind').planStream(name, [`${name}.>`], { ...UNLIMITED, max_age: '2s' });

    expect(plan).toMatchObject({ action: 'data-loss', dataLoss: { exact: false, fields: [{ field: 'max_age' }] } });
    expect(plan.dataLoss?.messages).toBeGreaterThan(0);
  });
});
