import { mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import { chromium, type Browser, type Page } from 'playwright-core';
import { StreamsModule } from '@app/streams';
import { StreamsDashboardModule } from '@app/streams/dashboard';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { AppModule } from '../src/app.module.js';
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
