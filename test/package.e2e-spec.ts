import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { startNatsServer, type NatsTestServer } from '@app/streams/testing';
import { waitForValue } from './support/wait.js';

const ROOT = resolve('.');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, stdio: 'pipe', encoding: 'utf8' });

/** The packed library installs into a fresh Nest app outside the repo and serves /health there. */
describe('packed library in a fresh Nest app', () => {
  let dir: string;
  let server: NatsTestServer;
  let app: ChildProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'streams-consumer-'));
  });

  afterAll(async () => {
    app?.kill('SIGKILL');
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('npm pack → npm install → boot against a real server → /health 200', async () => {
    npm(['run', 'build:lib', '--silent'], ROOT);
    npm(['pack', './libs/streams', '--pack-destination', dir, '--silent'], ROOT);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const versions = (name: string) =>
      (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'consumer-app',
        private: true,
        type: 'module',
        dependencies: {
          'nestjs-jetstream-streams': `file:./${tarball}`,
          '@nestjs/common': versions('@nestjs/common'),
          '@nestjs/core': versions('@nestjs/core'),
          '@nestjs/platform-express': versions('@nestjs/platform-express'),
          '@nestjs/terminus': versions('@nestjs/terminus'),
          nats: versions('nats'),
          rxjs: versions('rxjs'),
          'reflect-metadata': versions('reflect-metadata'),
        },
      }),
    );
    for (const file of ['main.ts', 'tsconfig.json']) copyFileSync(join(ROOT, 'test/fixtures/consumer-app', file), join(dir, file));
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir);
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, stdio: 'pipe' });

    server = await startNatsServer();
    const port = 4400 + Math.floor(Math.random() * 500);
    app = spawn(process.execPath, ['dist/main.js'], { cwd: dir, env: { ...process.env, NATS_URL: server.url, PORT: String(port) } });
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
  }, 240_000);
});
