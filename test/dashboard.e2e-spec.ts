import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { connect, type NatsConnection } from 'nats';
import { chromium, type Browser } from 'playwright-core';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { AppModule } from '../src/app.module.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The demo's live dashboard, driven in headless Chromium. */
describe('dashboard (GET /, server-sent events)', () => {
  let server: NatsTestServer;
  let app: INestApplication;
  let browser: Browser;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    process.env.NATS_URL = server.url;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication();
    await app.listen(0, '127.0.0.1');
    nc = await connect({ servers: server.url });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await nc?.close();
    await app?.close();
    await server?.dispose();
    delete process.env.NATS_URL;
  });

  it('lists the declared streams and shows a published message within seconds', async () => {
    const page = await browser.newPage();
    await page.goto(`${await app.getUrl()}/`.replace('[::1]', '127.0.0.1'));

    await page.waitForSelector('tr[data-stream="payments"]', { timeout: 10_000 });
    const names = await page.$$eval('tr[data-stream]', (rows) => rows.map((r) => r.getAttribute('data-stream')));
    expect(names.sort()).toEqual(['notifications', 'orders', 'payments']);
    expect(await page.textContent('tr[data-stream="orders"] td.messages')).toBe('0');

    await nc.jetstream().publish('orders.created', 'first order');

    await page.waitForSelector('tr[data-stream="orders"] td.messages:text-is("1")', { timeout: 6_000 });
    await page.close();
  });
});
