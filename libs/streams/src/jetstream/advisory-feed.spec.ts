import type { NatsConnection, Msg, NatsError } from 'nats';
import { followStreamAdvisories, MAX_PENDING_STREAMS, type AdvisoryBatch } from './advisory-feed.js';

const encode = (payload: unknown): Uint8Array => new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
const action = (stream: string, kind: 'create' | 'modify' | 'delete', at = 't') =>
  encode({ type: 'io.nats.jetstream.advisory.v1.stream_action', stream, action: kind, timestamp: at });
const SUBJECT = { create: 'CREATED', modify: 'UPDATED', delete: 'DELETED' } as const;

/** The subscription side of a connection: what the server would deliver, delivered by hand. */
function fakeConnection() {
  let deliver: (err: NatsError | null, msg: Msg) => void = () => undefined;
  const nc = {
    subscribe: (_subject: string, options: { callback: typeof deliver }) => {
      deliver = options.callback;
      return { isClosed: () => false, unsubscribe: () => undefined };
    },
    flush: async () => undefined,
    status: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => undefined) }) }),
  } as unknown as NatsConnection;
  const publish = (subject: string, data: Uint8Array) => deliver(null, { subject, data } as Msg);
  const send = (stream: string, kind: 'create' | 'modify' | 'delete', at?: string) =>
    publish(`$JS.EVENT.ADVISORY.STREAM.${SUBJECT[kind]}.${stream}`, action(stream, kind, at));
  return { nc, publish, send };
}

async function nextBatch(batches: AdvisoryBatch[]): Promise<AdvisoryBatch> {
  while (batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  return batches.shift() as AdvisoryBatch;
}

describe('followStreamAdvisories', () => {
  it('hands over one advisory per stream and kind per batch, the latest, in the order of those arrivals', async () => {
    const { nc, send } = fakeConnection();
    const batches: AdvisoryBatch[] = [];
    const feed = await followStreamAdvisories(nc, {
      accept: () => true,
      batch: (b) => batches.push(b),
      refused: () => undefined,
      resumed: () => undefined,
    });

    for (let i = 0; i < 10_000; i++) send('orders', i % 2 ? 'delete' : 'modify', `t${i}`);
    send('orders', 'create', 'last');
    send('audit', 'modify');
    const batch = await nextBatch(batches);
    feed.stop();

    expect(batch.dropped).toBe(0);
    expect(batch.advisories.map((a) => `${a.stream} ${a.kind} ${a.at}`)).toEqual([
      'orders updated t9998',
      'orders deleted t9999',
      'orders created last',
      'audit updated t',
    ]);
  });

  it('ignores what is not an advisory of the stream its subject names', async () => {
    const { nc, publish, send } = fakeConnection();
    const batches: AdvisoryBatch[] = [];
    const feed = await followStreamAdvisories(nc, {
      accept: () => true,
      batch: (b) => batches.push(b),
      refused: () => undefined,
      resumed: () => undefined,
    });

    publish('$JS.EVENT.ADVISORY.STREAM.UPDATED.orders', encode('not json'));
    publish('$JS.EVENT.ADVISORY.STREAM.DELETED.orders', action('payments', 'delete'));
    publish('$JS.EVENT.ADVISORY.STREAM.>', action('orders', 'delete'));
    send('audit', 'create');
    const batch = await nextBatch(batches);
    feed.stop();

    expect(batch.advisories.map((a) => `${a.stream} ${a.kind}`)).toEqual(['audit created']);
  });

  it(`keeps at most ${MAX_PENDING_STREAMS} streams waiting and counts what it drops`, async () => {
    const { nc, send } = fakeConnection();
    const batches: AdvisoryBatch[] = [];
    const feed = await followStreamAdvisories(nc, {
      accept: () => true,
      batch: (b) => batches.push(b),
      refused: () => undefined,
      resumed: () => undefined,
    });

    for (let i = 0; i < MAX_PENDING_STREAMS + 300; i++) send(`s${i}`, 'delete');
    send('s0', 'delete');
    const batch = await nextBatch(batches);
    feed.stop();

    expect(batch.advisories).toHaveLength(MAX_PENDING_STREAMS);
    expect(batch.dropped).toBe(300);
  });

  it('keeps the advisories of two domains apart, and leaves out those the app does not accept', async () => {
    const { nc, publish } = fakeConnection();
    const batches: AdvisoryBatch[] = [];
    const inDomain = (domain: string) =>
      encode({ type: 'io.nats.jetstream.advisory.v1.stream_action', stream: 'same', action: 'modify', timestamp: domain, domain });
    const feed = await followStreamAdvisories(nc, {
      accept: (a) => a.domain !== 'ignored',
      batch: (b) => batches.push(b),
      refused: () => undefined,
      resumed: () => undefined,
    });

    for (const domain of ['leaf', 'hub', 'ignored', 'leaf']) publish('$JS.EVENT.ADVISORY.STREAM.UPDATED.same', inDomain(domain));
    const batch = await nextBatch(batches);
    feed.stop();

    expect(batch.advisories.map((a) => a.domain)).toEqual(['hub', 'leaf']);
  });
});
