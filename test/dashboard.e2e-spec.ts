import { mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import { chromium, type Browser, type Page } from 'playwright-core';
import { InvalidOptionsError, StreamsModule } from '@app/streams';
import { StreamsDashboardModule } from '@app/streams/dashboard';
import { StreamsHealthModule } from '@app/streams/health';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { AppModule } from '../src/app.module.js';
import { getJson } from './support/get-json.js';
import { healthControllerFor } from './support/health-test-app.js';
import { waitFor } from './support/wait.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(process.cwd(), 'test', 'output');
const USER = 'dash-operator';
const PASSWORD = 's3cr3t-Pa55word';

/** Listens on a free port of 127.0.0.1 and returns the app's base URL. */
async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

/** The raw text of an SSE feed until `done` accepts it (or `timeoutMs` passes), then disconnects. */
function readFeed(url: string, done: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = get(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (done(text)) {
          clearTimeout(timer);
          req.destroy();
          resolve(text);
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`feed ${url} did not show what was expected within ${timeoutMs} ms; got: ${text.slice(-2_000)}`));
    }, timeoutMs);
    req.on('error', (err) => (text ? undefined : reject(err)));
  });
}

/** The events in the raw text of an SSE feed, parsed. */
function events(text: string): Array<Record<string, unknown>> {
  return [...text.matchAll(/^data: (.*)\n/gm)].map((m) => JSON.parse(m[1]) as Record<string, unknown>);
}

/** What a chart says about itself: how many samples it drew and the latest value. */
async function chart(page: Page, stream: string, series: string): Promise<{ points: number; last: number }> {
  const svg = page.locator(`tr[data-details="${stream}"] svg.chart[data-series="${series}"]`);
  return { points: Number(await svg.getAttribute('data-points')), last: Number(await svg.getAttribute('data-last')) };
}

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * The dashboard mounted the way a user mounts it, in an app of their own: a connection with
 * credentials in its URL, a second named one with user/pass options, and a page for each.
 */
describe('StreamsDashboardModule in a user app, in headless Chromium', () => {
  let server: NatsTestServer;
  let app: INestApplication;
  let browser: Browser;
  let nc: NatsConnection;
  let base: string;

  beforeAll(async () => {
    server = await startNatsServer({ auth: { user: USER, password: PASSWORD } });
    const withCredentials = server.url.replace('nats://', `nats://${USER}:${encodeURIComponent(PASSWORD)}@`);

    @Module({
      imports: [
        StreamsModule.forRoot({
          connection: { servers: withCredentials, reconnectTimeWait: 200 },
          monitorIntervalMs: 500,
          streams: [
            { name: 'orders', subjects: ['orders.>'], max_msgs: 100_000, max_bytes: 64 * 1024 * 1024, description: 'Order events' },
            { name: 'payments', subjects: ['payments.>'], max_age: '1d' },
            { name: 'audit', subjects: ['audit.>'], max_msgs: 1_000 },
          ],
        }),
        StreamsModule.forRoot({ name: 'eu', connection: { servers: server.url, user: USER, pass: PASSWORD }, monitorIntervalMs: 500 }),
        StreamsDashboardModule.register({ path: '/streams-ui' }),
        StreamsDashboardModule.register({ path: '/ops/eu', connection: 'eu', title: 'EU streams' }),
      ],
    })
    class UserAppModule {}

    const moduleRef = await Test.createTestingModule({ imports: [UserAppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    base = await listen(app);
    nc = await connect({ servers: server.url, user: USER, pass: PASSWORD });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await nc?.close();
    await app?.close();
    await server?.dispose();
  });

  it('shows each stream: status and reason, sizes, limits with their values, drift field by field', async () => {
    const jsm = await nc.jetstreamManager();
    // Someone changes a declared stream by hand: it now differs from its declaration.
    const audit = await jsm.streams.info('audit');
    await jsm.streams.update('audit', { ...audit.config, max_msgs: 5 });
    await jsm.consumers.add('orders', { durable_name: 'billing', ack_policy: AckPolicy.Explicit });
    const js = nc.jetstream();
    for (let i = 0; i < 40; i++) await js.publish('orders.created', new Uint8Array(2_000));

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/streams-ui`);
    await page.waitForSelector('tr[data-stream="orders"] td.messages:text-is("40")');

    const names = await page.$$eval('tr[data-stream]', (rows) => rows.map((r) => r.getAttribute('data-stream')));
    expect(names).toEqual(['audit', 'orders', 'payments']);
    expect(await page.textContent('tr[data-stream="orders"] td.bytes')).toMatch(/^\d+(\.\d)? KiB$/);
    const limits = await page.$$eval('tr[data-stream="orders"] .usage-text', (els) => els.map((e) => e.textContent));
    expect(limits).toEqual(['<1% of 100,000 msgs', '<1% of 64 MiB']);
    // Empty, so its limit is the declared one (the module's default template).
    expect(await page.textContent('tr[data-stream="payments"] td.limits')).toBe('0% of 1,000,000 msgs');

    await page.waitForSelector('tr[data-stream="audit"] .pill.down');
    expect(await page.textContent('tr[data-stream="audit"] .reason')).toBe('drifted');
    const drift = page.locator('tr[data-details="audit"] table.drift tr[data-field="max_msgs"]');
    expect(await drift.locator('.current').textContent()).toBe('5');
    expect(await drift.locator('.desired').textContent()).toBe('1,000');
    expect(await page.textContent('tr[data-stream="orders"] td.consumers')).toBe('1');
    // The page runs under its own Content-Security-Policy without a violation or a script error.
    expect(problems).toEqual([]);
    await page.close();
  });

  it("draws each stream's history: the charts' points and values grow while a publisher runs", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/streams-ui`);
    await page.waitForSelector('tr[data-details="orders"] svg.chart[data-series="messages"]');
    const before = await chart(page, 'orders', 'messages');

    const js = nc.jetstream();
    let publishing = true;
    // A steady publisher (batches of 20, paced by the server's acks and a short pause), as an app would.
    const publisher = (async () => {
      while (publishing) {
        await Promise.all(Array.from({ length: 20 }, () => js.publish('orders.created', new Uint8Array(500))));
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    try {
      const after = await waitFor(
        () => chart(page, 'orders', 'messages'),
        (c) => c.points >= before.points + 12 && c.last > before.last,
        { what: 'the messages chart to grow' },
      );
      expect(after.last).toBeGreaterThan(before.last);
      const rate = await waitFor(
        () => chart(page, 'orders', 'rate'),
        (c) => c.last > 0,
        { what: 'a publish rate above 0' },
      );
      expect(rate.points).toBeGreaterThan(0);
    } finally {
      publishing = false;
      await publisher;
    }
    mkdirSync(OUTPUT, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });
    await page.close();
  });

  it('keeps the last table during an outage, marked stale with the time of the last good snapshot', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/streams-ui`);
    await page.waitForSelector('tr[data-stream="orders"]');
    const messages = await page.textContent('tr[data-stream="orders"] td.messages');

    await server.stop();
    try {
      const banner = page.locator('#stale');
      await banner.waitFor({ state: 'visible', timeout: 15_000 });
      expect(await banner.textContent()).toMatch(/NATS unreachable\. Showing the last good snapshot, taken at \d\d:\d\d:\d\d/);
      expect(await page.textContent('tr[data-stream="orders"] td.messages')).toBe(messages);
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, 'dashboard-stale.png'), fullPage: true });
    } finally {
      await server.restart();
    }
    await page.locator('#stale').waitFor({ state: 'hidden', timeout: 15_000 });
    await page.close();
  });

  it("sends a page everything once, then only what changed; a stream's whole history on request", async () => {
    const payments = (e: Record<string, unknown>) => (e.changed as Array<{ name: string }>).some((v) => v.name === 'payments');
    let sent = 0;
    const feed = await readFeed(`${base}/streams-ui/events`, (t) => {
      // Once the page has its first event, one stream changes (published again while the
      // client is still reconnecting after the outage tests, until it is seen).
      const seenEvents = events(t);
      if (seenEvents.length > sent && !seenEvents.slice(1).some(payments)) {
        sent = seenEvents.length;
        nc.jetstream()
          .publish('payments.made', 'one')
          .catch(() => undefined);
      }
      return seenEvents.slice(1).some(payments);
    });
    const [init, ...rest] = events(feed);

    expect(init).toMatchObject({ type: 'init', header: { connection: { name: 'default' } } });
    expect((init.streams as Array<{ name: string }>).map((v) => v.name).sort()).toEqual(['audit', 'orders', 'payments']);
    expect(Object.keys((init.history as { streams: object }).streams).sort()).toEqual(['audit', 'orders', 'payments']);
    const changedTick = rest.find(payments)!;
    expect((changedTick.changed as Array<{ name: string }>).map((v) => v.name)).toEqual(['payments']);
    expect(rest.slice(0, rest.indexOf(changedTick)).every((e) => (e.changed as unknown[]).length === 0)).toBe(true);
    expect(rest.every((e) => e.type === 'tick' && !('streams' in e))).toBe(true);

    const history = (await getJson(`${base}/streams-ui/history?stream=payments`)) as { t: number[]; messages: number[] };
    expect(history.t.length).toBeGreaterThan(1);
    expect(history.messages.length).toBe(history.t.length);
    expect((await fetch(`${base}/streams-ui/history?stream=nope`)).status).toBe(404);
    expect((await fetch(`${base}/streams-ui/history`)).status).toBe(404);
  });

  it('never puts credentials in the page or its feed, in or out of an outage', async () => {
    const leaks = (text: string) => [USER, PASSWORD, encodeURIComponent(PASSWORD)].filter((secret) => text.includes(secret));
    const html = await (await fetch(`${base}/streams-ui`)).text();
    const feed = await readFeed(`${base}/streams-ui/events`, (t) => (t.match(/^data:/gm) ?? []).length >= 3);
    const euFeed = await readFeed(`${base}/ops/eu/events`, (t) => (t.match(/^data:/gm) ?? []).length >= 2);
    expect(feed).toContain('"servers":["nats://***@127.0.0.1');
    expect(euFeed).toContain('"name":"eu"');

    await server.stop();
    let outage: string;
    try {
      outage = await readFeed(`${base}/streams-ui/events`, (t) => t.includes('"stale":true'));
    } finally {
      await server.restart();
    }

    const page = await browser.newPage();
    await page.goto(`${base}/ops/eu`);
    await page.waitForSelector('tr[data-stream="orders"]');
    expect(await page.textContent('h1')).toBe('EU streams');
    const rendered = await page.content();
    await page.close();
    expect({ html: leaks(html), feed: leaks(feed), euFeed: leaks(euFeed), outage: leaks(outage), rendered: leaks(rendered) }).toEqual({
      html: [],
      feed: [],
      euFeed: [],
      outage: [],
      rendered: [],
    });
  });
});

/** What the page says of the app's health is what `/health` answers, in and out of an outage. */
describe('the summary cards and /health, in headless Chromium', () => {
  let server: NatsTestServer;
  let app: INestApplication;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    server = await startNatsServer();
    const moduleRef = await Test.createTestingModule({
      imports: [
        StreamsModule.forRoot({
          connection: { servers: server.url, reconnectTimeWait: 200 },
          monitorIntervalMs: 500,
          streams: [
            { name: 'alpha', subjects: ['alpha.>'] },
            { name: 'beta', subjects: ['beta.>'] },
            { name: 'gamma', subjects: ['gamma.>'] },
          ],
        }),
        TerminusModule,
        StreamsHealthModule,
        StreamsDashboardModule.register({ path: '/ops' }),
      ],
      controllers: [healthControllerFor()],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    base = await listen(app);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await server?.dispose();
  });

  const health = async () => (await fetch(`${base}/health`)).status;
  const card = (page: Page, name: string) => page.textContent(`#summary [data-card="${name}"] span`);

  it('say up with 3 up while /health answers 200, and down with no count by state while it answers 503', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/ops`);
    await page.waitForSelector('#summary [data-health="up"]');
    expect(await health()).toBe(200);
    expect(await card(page, 'up')).toBe('3');

    await server.stop();
    try {
      await waitFor(health, (status) => status === 503, { what: '/health to answer 503' });
      await page.waitForSelector('#summary [data-health="down"]', { timeout: 15_000 });
      expect(await card(page, 'up')).toBe('–');
      expect(await card(page, 'down')).toBe('–');
      expect(await page.textContent('[data-health-reason]')).toMatch(/^NATS is not connected \((disconnected|reconnecting)\)$/);
      expect(await health()).toBe(503);
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, 'dashboard-outage-cards.png') });
    } finally {
      await server.restart();
    }

    await waitFor(health, (status) => status === 200, { what: '/health to answer 200 again' });
    await page.waitForSelector('#summary [data-health="up"]', { timeout: 15_000 });
    expect(await card(page, 'up')).toBe('3');
    await page.close();
  });
});

/** The dashboard's options are checked before any connection opens: a bad one leaves nothing open. */
describe('StreamsDashboardModule options, checked before connecting', () => {
  let server: NatsTestServer;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  /** The names of the connections the server has seen since it started, open or closed. */
  const seen = async () =>
    (
      ((await getJson(`${server.monitorUrl}/connz?state=all&limit=1000`)) as { connections: Array<{ name?: string }> | null })
        .connections ?? []
    ).map((c) => c.name);

  /** Starts an app from `imports` (its connection named `name`), expecting InvalidOptionsError and no connection of that name. */
  async function refused(name: string, imports: Parameters<typeof Test.createTestingModule>[0]['imports']): Promise<InvalidOptionsError> {
    let error: unknown;
    try {
      const moduleRef = await Test.createTestingModule({ imports }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init().finally(() => app.close());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(await seen()).not.toContain(name);
    return error as InvalidOptionsError;
  }

  it('refuses a connection no forRoot registers, naming it, and opens none', async () => {
    const name = 'dash-unknown-connection';
    const error = await refused(name, [
      StreamsModule.forRoot({ connection: { servers: server.url, name } }),
      StreamsDashboardModule.register({ connection: 'eu' }),
    ]);

    expect(error.option).toBe('dashboard.connection');
    expect(error.message).toContain("with name 'eu'");
  });

  it('refuses a history over its bound at the monitor interval a forRootAsync factory gives, and opens no connection', async () => {
    const name = 'dash-history-bound';
    const error = await refused(name, [
      StreamsModule.forRootAsync({ useFactory: () => ({ connection: { servers: server.url, name }, monitorIntervalMs: 250 }) }),
      StreamsDashboardModule.register(),
    ]);

    expect(error.option).toBe('dashboard.historyMinutes');
    expect(error.message).toContain('at monitorIntervalMs 250 that is 2400000 samples');
  });

  it('with the same options and a longer interval, starts and connects', async () => {
    const name = 'dash-history-fits';
    const moduleRef = await Test.createTestingModule({
      imports: [
        StreamsModule.forRootAsync({ useFactory: () => ({ connection: { servers: server.url, name }, monitorIntervalMs: 300 }) }),
        StreamsDashboardModule.register(),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      // The same check that finds no connection above finds this one.
      await waitFor(seen, (names) => names.includes(name), { what: `a connection named ${name}` });
    } finally {
      await app.close();
    }
  });
});

/** The demo app mounts the module at `/`: its declared streams, live. */
describe('the demo app: dashboard at GET /', () => {
  let server: NatsTestServer;
  let app: INestApplication;
  let browser: Browser;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    process.env.NATS_URL = server.url;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    nc = await connect({ servers: server.url });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await nc?.close();
    await app?.close();
    await server?.dispose();
    delete process.env.NATS_URL;
  });

  it('lists the declared streams and bucket, and shows a published message and the lag of the declared consumer', async () => {
    const page = await browser.newPage();
    await page.goto(`${await listen(app)}/`);

    await page.waitForSelector('tr[data-stream="payments"]');
    const names = await page.$$eval('tr[data-stream]', (rows) => rows.map((r) => r.getAttribute('data-stream')));
    expect(names).toEqual(['KV_sessions', 'notifications', 'orders', 'payments']);
    expect(await page.textContent('tr[data-stream="orders"] td.messages')).toBe('0');
    const billing = 'tr[data-details="orders"] table.consumers tr[data-consumer="billing"]';
    expect(await page.textContent(`${billing} td:nth-child(3)`)).toBe('0');

    await nc.jetstream().publish('orders.created', 'first order');

    await page.waitForSelector('tr[data-stream="orders"] td.messages:text-is("1")');
    await page.waitForSelector(`${billing} td:nth-child(3):text-is("1")`);
    await page.close();
  });
});
