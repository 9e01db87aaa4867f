import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import type { NatsStopSignal, NatsTestServer } from './nats-test-server.js';
import { readNatsServerVersion } from './nats-server-binary.js';
import { ANY_PORT, renderNatsServerConfig, type NatsServerConfig } from './nats-server-config.js';
import { LOCALHOST, readServerPorts, removePortsFiles, type NatsServerPorts } from './nats-server-ports.js';
import { NatsServerStartError } from './nats-server-start.error.js';
import { processReaper } from './process-reaper.js';
import { createServerDir, removeServerDir, storeDirOf } from './server-dir.js';
import { ServerLogBuffer } from './server-log-buffer.js';

/** @internal What {@link launchNatsServer} needs to run one server. */
export interface NatsServerLaunchSpec {
  binary: string;
  startTimeoutMs: number;
  /** Read at every (re)start and reload; the cluster and topology helpers update it. */
  config: NatsServerConfig;
}

/**
 * @internal Starts one server in a fresh temporary directory, with every listener on a port the
 * server picks; the ports are read back and pinned for restarts. Cleans up when it fails.
 */
export async function launchNatsServer(spec: NatsServerLaunchSpec): Promise<ManagedNatsServer> {
  const server = new ManagedNatsServer(spec, await createServerDir());
  try {
    await server.start();
    return server;
  } catch (error) {
    await server.dispose();
    throw error;
  }
}

const ANY_PORTS: NatsServerPorts = { client: ANY_PORT, monitoring: ANY_PORT, cluster: ANY_PORT, leafnode: ANY_PORT };
const STOP_GRACE_MS = 5_000;
const POLL_INTERVAL_MS = 50;
const ADDRESS_IN_USE_RETRY_MS = 250;
const LOG_LINES = 200;

/** @internal One nats-server process and its directory; the object behind {@link NatsTestServer}. */
export class ManagedNatsServer implements NatsTestServer {
  private readonly output = new ServerLogBuffer(LOG_LINES);
  private child?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();
  private current: NatsServerPorts = { client: 0, monitoring: 0 };
  /** Listener ports for the next spawn: `-1` before the first start, then the ones the server chose. */
  private pinned: NatsServerPorts = ANY_PORTS;
  /** Listener ports in the config the running process read; a reload must repeat them. */
  private launchedWith: NatsServerPorts = ANY_PORTS;
  private serverVersion = '';
  private disposal?: Promise<void>;

  constructor(
    private readonly spec: NatsServerLaunchSpec,
    readonly dir: string,
  ) {}

  get ports(): NatsServerPorts {
    return this.current;
  }

  get port(): number {
    return this.current.client;
  }

  get url(): string {
    return `nats://${LOCALHOST}:${this.current.client}`;
  }

  get monitorUrl(): string {
    return `http://${LOCALHOST}:${this.current.monitoring}`;
  }

  get storeDir(): string {
    return storeDirOf(this.dir);
  }

  get version(): string {
    return this.serverVersion;
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  get running(): boolean {
    return this.child !== undefined && isAlive(this.child);
  }

  logs(): string {
    return this.output.toString();
  }

  /** First start: the server picks every port; they are pinned for later restarts and reloads. */
  async start(): Promise<void> {
    this.serverVersion = await readNatsServerVersion(this.spec.binary);
    await this.boot();
  }

  async stop(signal: NatsStopSignal = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !isAlive(child)) {
      return;
    }
    child.kill(signal);
    if (signal === 'SIGTERM' && !(await settlesWithin(this.exited, STOP_GRACE_MS))) {
      child.kill('SIGKILL');
    }
    await this.exited;
  }

  async restart(): Promise<void> {
    if (this.disposal) {
      throw new Error(`The nats-server in ${this.dir} has been disposed and cannot restart.`);
    }
    await this.stop();
    this.output.note('--- restart ---');
    await this.boot();
  }

  dispose(): Promise<void> {
    this.disposal ??= this.stop('SIGKILL').then(() => removeServerDir(this.dir));
    return this.disposal;
  }

  /**
   * Rewrites the config from the current spec and makes the running server reload it (SIGHUP).
   * The listeners stay as the running process read them: a reload cannot move a listener.
   * Resolves once the server logs the reload, rejects with its reason when it refuses.
   */
  async reload(): Promise<void> {
    const child = this.child;
    if (!child || !isAlive(child)) {
      throw new Error(`The nats-server in ${this.dir} is not running and cannot reload.`);
    }
    await this.writeConfig(this.launchedWith);
    const mark = this.output.mark();
    child.kill('SIGHUP');
    const deadline = Date.now() + this.spec.startTimeoutMs;
    while (Date.now() < deadline) {
      const output = this.output.since(mark);
      if (/Reloaded server configuration/.test(output)) {
        return;
      }
      const refusal = /Failed to reload server configuration.*/.exec(output);
      if (refusal) {
        throw this.startError(refusal[0]);
      }
      await delay(POLL_INTERVAL_MS);
    }
    throw this.startError(`nats-server did not reload its configuration within ${this.spec.startTimeoutMs} ms`);
  }

  /** Spawns until ready; a pinned port still held by a closing socket is retried until the deadline. */
  private async boot(): Promise<void> {
    const deadline = Date.now() + this.spec.startTimeoutMs;
    for (;;) {
      const mark = this.output.mark();
      try {
        this.current = await this.spawnOnce(deadline);
        this.pinned = this.current;
        return;
      } catch (error) {
        const portBusy = /address already in use/i.test(this.output.since(mark));
        if (!portBusy || Date.now() + ADDRESS_IN_USE_RETRY_MS >= deadline) {
          throw error;
        }
        await delay(ADDRESS_IN_USE_RETRY_MS);
      }
    }
  }

  private async spawnOnce(deadline: number): Promise<NatsServerPorts> {
    await removePortsFiles(this.dir);
    await this.writeConfig(this.pinned);
    this.launchedWith = this.pinned;
    const child = this.spawnChild();
    try {
      return await this.waitUntilReady(child, deadline);
    } catch (error) {
      child.kill('SIGKILL');
      await this.exited;
      throw error;
    }
  }

  private writeConfig(ports: NatsServerPorts): Promise<void> {
    const paths = { dir: this.dir, storeDir: this.storeDir };
    return writeFile(this.configPath(), renderNatsServerConfig(this.spec.config, paths, ports));
  }

  private spawnChild(): ChildProcess {
    // A process group of its own: Ctrl-C in a terminal reaches the app, which stops its server.
    const child = spawn(this.spec.binary, ['-c', this.configPath()], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', (error) => {
        this.output.note(`spawn failed: ${error.message}`);
        resolve();
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => this.output.append(chunk));
    }
    processReaper.track(child);
    return child;
  }

  private async waitUntilReady(child: ChildProcess, deadline: number): Promise<NatsServerPorts> {
    const expected = {
      cluster: this.spec.config.cluster !== undefined,
      leafnode: this.spec.config.leafnodeListener === true,
    };
    while (Date.now() < deadline) {
      if (!isAlive(child)) {
        await this.exited;
        throw this.startError(`nats-server exited before it was ready (${describeExit(child)})`);
      }
      const ports = await readServerPorts(this.dir, child.pid ?? 0, expected);
      if (ports && (await acceptsTcp(ports.client))) {
        return ports;
      }
      await delay(POLL_INTERVAL_MS);
    }
    throw this.startError(`nats-server did not accept connections within ${this.spec.startTimeoutMs} ms`);
  }

  private startError(reason: string): NatsServerStartError {
    return new NatsServerStartError(`${reason}; binary ${this.spec.binary}, config ${this.configPath()}`, this.logs());
  }

  private configPath(): string {
    return join(this.dir, 'nats-server.conf');
  }
}

function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: LOCALHOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function isAlive(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

function describeExit(child: ChildProcess): string {
  if (child.pid === undefined) {
    return 'it could not be spawned';
  }
  return child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`;
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = await Promise.race([promise.then(() => true), delay(ms, false, { signal: timer.signal }).catch(() => false)]);
  timer.abort();
  return settled;
}
