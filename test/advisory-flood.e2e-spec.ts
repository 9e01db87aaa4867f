// Advisories are an ordinary subject: any client of the account may publish on it. A flood of
// fakes must not get the app's JetStream requests dropped, nor cost unbounded work (issue #22 item 5).
import type { INestApplication } from '@nestjs/common';
import { ConnectionService, StreamEvents, StreamService, type StreamEvent } from '@app/streams';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { spawn } from 'node:child_process';
import type { Subscription as RxSubscription } from 'rxjs';
import { JsApiSpy } from './support/js-api-spy.js';
import { startStreamsApp } from './support/streams-app.js';
import { uniqueName } from './support/streams-fixture.js';

const FLOOD = 44_000;
const MADE_UP_NAMES = 2_000;

/**
 * Another client, in a process of its own (the app's pauses must not pause it): publishes the
 * flood as fast as it can, then exits. Of every five messages: two fake advisories of declared
 * streams, two of made-up streams, one garbage; deleted and updated in turn.
 */
const PUBLISHER = `
const { connect } = require('nats');
const [url, count, names, declared] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3]), process.argv[4].split(',')];
const padding = 'x'.repeat(900);
const encoder = new TextEncoder();
const actions = [['DELETED', 'delete'], ['UPDATED', 'modify']];
(async () => {
  const nc = await connect({ servers: url, name: 'flooder' });
  process.stdout.write('connected\\n');
  for (let i = 0; i < count; i++) {
    const [token, action] = actions[i % 2];
    const stream = i % 5 < 2 ? declared[i % declared.length] : 'made_up_' + (i % names);
    const payload = i % 5 === 4
      ? '{"not": "json", ' + padding
      : JSON.stringify({ type: 'io.nats.jetstream.advisory.v1.stream_action', id: String(i), timestamp: new Date().toISOString(), stream, action, padding });
    nc.publish('$JS.EVENT.ADVISORY.STREAM.' + token + '.' + stream, encoder.encode(payload));
    if (i % 2000 === 0) await nc.flush();
  }
  await nc.flush();
  await nc.close();
})();
`;

/** Runs the flood; resolves `connected` once the publisher is connected, `done` when it exited. */
function flood(url: string, declared: readonly string[]): { connected: Promise<void>; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['-e', PUBLISHER, url, String(FLOOD), String(MADE_UP_NAMES), declared.join(',')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const connected = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const done = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { connected, done };
}

/** Keeps this process busy for `ms` (a GC pause, a slow handler): it reads nothing meanwhile. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spinning on purpose
  }
}

describe('a flood of fake advisories from another client', () => {
  let server: NatsTestServer;
  let app: INestApplication;
  let spy: JsApiSpy;

  beforeAll(async () => {
    // A small limit for a slow reader's backlog: the flood overruns it within a second.
    server = await startNatsServer({ extraConfig: 'max_pending: 4MB' });
    spy = await JsApiSpy.start(server.url);
  });

  afterAll(async () => {
    await app?.close();
    await spy?.close();
    await server?.dispose();
  });

  it('leaves the connection of the JetStream requests up, its requests answered, the reactions bounded and the streams intact', async () => {
    const declared = [uniqueName('flood_a'), uniqueName('flood_b'), uniqueName('flood_c')];
    app = await startStreamsApp(
      {
        connection: { servers: server.url },
        streams: declared.map((name) => ({ name, subjects: [`${name}.>`], max_msgs: 1_000 })),
        reconcile: { onDrift: 'repair' },
      },
      { logger: false },
    );
    const connection = app.get(ConnectionService);
    const streams = app.get(StreamService);
    const statuses: string[] = [];
    const events: StreamEvent[] = [];
    const watching: RxSubscription[] = [
      connection.status$.subscribe((s) => statuses.push(s.type)),
      app.get(StreamEvents).events$.subscribe((e) => events.push(e)),
    ];
    const probe = uniqueName('probe');
    await streams.ensureStream(probe, [`${probe}.>`]);
    await spy.settle();
    spy.subjects.length = 0;

    let answered = 0;
    let flooding = true;
    const requests = (async () => {
      while (flooding) {
        await streams.getStreamInfo(probe, { fresh: true });
        answered += 1;
      }
    })();
    const floodStarted = Date.now();
    const flooder = flood(server.url, declared);
    await flooder.connected;
    // The app stops reading for a moment while the flood comes in: the server piles up what it
    // sends to the app's connections, beyond max_pending for the one that follows advisories.
    busy(1_500);
    expect(await flooder.done).toBe(0);
    // The app keeps asking the server for a while after the last fake was sent.
    const after = answered;
    while (answered < after + 50) await new Promise((resolve) => setTimeout(resolve, 20));
    flooding = false;
    await requests;
    await spy.settle();
    watching.forEach((w) => w.unsubscribe());
    // The bounds below follow from the design, for however long the flood took here: 20 ms
    // batches, one advisory per stream and kind each, 2,000 events a second of undeclared streams.
    const seconds = (Date.now() - floodStarted) / 1_000;
    const batches = seconds * 50 + 5;

    const reactions = spy.subjects.filter((s) => !s.endsWith(`STREAM.INFO.${probe}`));
    expect(statuses.filter((s) => s !== 'connected')).toEqual([]);
    expect(connection.isConnected()).toBe(true);
    // Repairs decide on a fresh read: nothing forged is written.
    expect(reactions.filter((s) => /CREATE|UPDATE|DELETE/.test(s))).toEqual([]);
    // At most one read of each declared stream per batch (or one list).
    expect(reactions.length).toBeLessThanOrEqual(declared.length * batches);
    expect(events.filter((e) => e.type === 'drifted' || e.type === 'repaired')).toEqual([]);
    // Of 35,200 well-formed fakes, 17,600 about declared streams and 17,600 about made-up ones:
    expect(events.filter((e) => 'declared' in e && e.declared).length).toBeLessThanOrEqual(declared.length * 2 * batches);
    expect(events.filter((e) => 'declared' in e && !e.declared).length).toBeLessThanOrEqual(2_000 * (seconds + 1));
    expect(events.length).toBeLessThan((FLOOD * 4) / 5);
    for (const name of declared) expect((await streams.getStreamInfo(name, { fresh: true })).config.max_msgs).toBe(1_000);
    expect((await streams.listStreams()).filter((n) => n.startsWith('made_up_'))).toEqual([]);
  }, 60_000);
});
