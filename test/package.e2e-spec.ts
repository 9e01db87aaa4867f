import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { waitForValue } from './support/wait.js';

const ROOT = resolve('.');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, stdio: 'pipe', encoding: 'utf8' });
const installed = (name: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** The Nest packages of each supported major: 12 as this repo uses it, 11 from the registry. */
const NEST_MAJORS: Array<[string, Record<string, string>]> = [
  [
    '12',
    Object.fromEntries(['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', '@nestjs/terminus'].map((n) => [n, installed(n)])),
  ],
  ['11', { '@nestjs/common': '^11', '@nestjs/core': '^11', '@nestjs/platform-express': '^11', '@nestjs/terminus': '^11' }],
];

/** The packed library installs into a fresh Nest app outside the repo and serves /health there. */
describe('packed library in a fresh Nest app', () => {
  let tarball: string;
  let server: NatsTestServer;
  const dirs: string[] = [];
  const apps: ChildProcess[] = [];

  beforeAll(async () => {
    const packDir = mkdtempSync(join(tmpdir(), 'streams-pack-'));
    dirs.push(packDir);
    npm(['run', 'build:lib', '--silent'], ROOT);
    npm(['pack', './libs/streams', '--pack-destination', packDir, '--silent'], ROOT);
    tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz')) as string);
    server = await startNatsServer();
  }, 120_000);

  afterAll(async () => {
    apps.forEach((app) => app.kill('SIGKILL'));
    await server?.dispose();
    dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  it.each(NEST_MAJORS)('Nest %s: npm install the tarball → compile → boot against a real server → /health 200', async (major, nest) => {
    const dir = mkdtempSync(join(tmpdir(), `streams-consumer-nest${major}-`));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'consumer-app',
        private: true,
        type: 'module',
        dependencies: {
          'nestjs-jetstream-streams': `file:${tarball}`,
          ...nest,
          nats: installed('nats'),
          rxjs: installed('rxjs'),
          'reflect-metadata': installed('reflect-metadata'),
        },
      }),
    );
    for (const file of ['main.ts', 'tsconfig.json']) copyFileSync(join(ROOT, 'test/fixtures/consumer-app', file), join(dir, file));
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir);
    const nestVersion = (JSON.parse(readFileSync(join(dir, 'node_modules/@nestjs/core/package.json'), 'utf8')) as { version: string }).version;
    expect(nestVersion.split('.')[0]).toBe(major);
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, stdio: 'pipe' });

    const port = 4400 + Math.floor(Math.random() * 500);
    const app = spawn(process.execPath, ['dist/main.js'], { cwd: dir, env: { ...process.env, NATS_URL: server.url, PORT: String(port) } });
    apps.push(app);
    let output = '';
    app.stdout?.on('data', (d: Buffer) => (output += d));
    app.stderr?.on('data', (d: Buffer) => (output += d));

    const res = await waitForValue(
      async () => {
        const r = await request(`http://127.0.0.1:${port}`).get('/health');
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${output}`);
    });
    expect(res.body.details.nats.status).toBe('up');
    expect(res.body.details.streams.streams.consumer_orders.status).toBe('up');
    app.kill('SIGTERM');
  }, 240_000);
});
