import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { connect as connectTcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';

import { resolveNatsServerBinary } from './nats-server-binary.js';

/** Credentials a test server requires from its clients. */
export type NatsServerAuth = { user: string; password: string } | { token: string };

/** The signals {@link NatsTestServer.stop} can send. */
export type NatsStopSignal = 'SIGTERM' | 'SIGKILL';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /**
   * Enables JetStream, stored under {@link NatsTestServer.storeDir}.
   * @default true
   */
  jetstream?: boolean;
  /**
   * Credentials clients must present.
   * @default undefined (no authentication)
   */
  auth?: NatsServerAuth;
  /**
   * JetStream `max_file_store`, in bytes.
   * @default the server's own default
   */
  maxFileStore?: number;
  /**
   * JetStream `max_memory_store`, in bytes.
   * @default the server's own default
   */
  maxMemoryStore?: number;
  /**
   * The server's `server_name`.
   * @default the server's own default (its generated id)
   */
  serverName?: string;
  /**
   * Path of the nats-server executable.
   * @default resolveNatsServerBinary()
   */
  binary?: string;
  /**
   * How long to wait for the server to accept connections, in milliseconds.
   * @default 10000
   */
  startTimeoutMs?: number;
  /**
   * Raw nats-server configuration appended to the generated file.
   * @default undefined
   */
  extraConfig?: string;
}

/** A nats-server process owned by a test, listening on 127.0.0.1. */
export interface NatsTestServer {
  /** Client port; kept across {@link restart}. */
  readonly port: number;
  /** Client URL, `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Monitoring URL, `http://127.0.0.1:<monitoring port>`; kept across {@link restart}. */
  readonly monitorUrl: string;
  /** The temporary directory holding the config, the ports file and the store. */
  readonly dir: string;
  /** JetStream `store_dir`; kept across {@link restart}. */
  readonly storeDir: string;
  /** The server version as reported by `nats-server --version`, e.g. `'2.9.10'`. */
  readonly version: string;
  /** Process id of the current (or last) server process. */
  readonly pid: number;
  /** Whether the server process is alive. */
  readonly running: boolean;
  /**
   * Stops the process and waits for it to exit. A SIGTERM that is not obeyed within 5 s
   * is followed by SIGKILL. Resolves at once when the server is not running.
   */
  stop(signal?: NatsStopSignal): Promise<void>;
  /** Starts the server again with the same ports, store and configuration (stopping it first if running). */
  restart(): Promise<void>;
  /** Kills the process if running and removes the temporary directory. Idempotent. */
  dispose(): Promise<void>;
  /** The last ~200 lines the server wrote to stdout and stderr. */
  logs(): string;
}

/** Thrown when a test server (or cluster) does not become ready. */
export class NatsServerStartError extends Error {
  constructor(
    message: string,
    /** The tail of the server output, also included in the message. */
    readonly logs: string,
    options?: ErrorOptions,
  ) {
    super(logs ? `${message}\n--- nats-server output ---\n${logs}` : message, options);
    this.name = 'NatsServerStartError';
  }
}

/**
 * Starts a nats-server on a random 127.0.0.1 port with a fresh temporary directory.
 * Dispose it (`afterEach`/`afterAll`) to kill it and remove the directory.
 *
 * @example
 * const server = await startNatsServer({ maxFileStore: 64 * 1024 * 1024 });
 * const nc = await connect({ servers: server.url });
 * // ...
 * await nc.close();
 * await server.dispose();
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsTestServer> {
  return launchNatsServer({
    binary: options.binary ?? resolveNatsServerBinary(),
    dir: await createServerDir(),
    startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    config: {
      serverName: options.serverName,
      port: RANDOM_PORT,
      httpPort: RANDOM_PORT,
      jetstream: options.jetstream ?? true,
      maxFileStore: options.maxFileStore,
      maxMemoryStore: options.maxMemoryStore,
      auth: options.auth,
      extraConfig: options.extraConfig,
    },
  });
}

/** @internal The full configuration of one server; ports set to -1 are chosen by the server. */
export interface NatsServerConfig {
  serverName?: string;
  port: number;
  httpPort: number;
  jetstream: boolean;
  maxFileStore?: number;
  maxMemoryStore?: number;
  auth?: NatsServerAuth;
  cluster?: { name: string; port: number; routePorts: number[] };
  extraConfig?: string;
}

/** @internal What {@link launchNatsServer} needs to run one server. */
export interface NatsServerLaunchSpec {
  binary: string;
  /** An empty directory the server owns from now on; removed on dispose or on a failed start. */
  dir: string;
  startTimeoutMs: number;
  config: NatsServerConfig;
}

/** @internal Creates the temporary directory of one server. */
export function createServerDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'nats-test-'));
}

/** @internal Starts one server from a full configuration; cleans up after itself when it fails. */
export async function launchNatsServer(spec: NatsServerLaunchSpec): Promise<NatsTestServer> {
  const server = new ManagedNatsServer(spec);
  try {
    await server.start();
    return server;
  } catch (error) {
    await server.dispose();
    throw error;
  }
}

const RANDOM_PORT = -1;
const LOCALHOST = '127.0.0.1';
const DEFAULT_START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const POLL_INTERVAL_MS = 50;
const ADDRESS_IN_USE_RETRY_MS = 250;
const LOG_LINES = 200;

interface ListeningPorts {
  client: number;
  monitoring: number;
}

class ManagedNatsServer implements NatsTestServer {
  private readonly output = new LogBuffer(LOG_LINES);
  private child?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();
  private ports: ListeningPorts = { client: 0, monitoring: 0 };
  private serverVersion = '';
  private disposal?: Promise<void>;

  constructor(private readonly spec: NatsServerLaunchSpec) {}

  get port(): number {
    return this.ports.client;
  }

  get url(): string {
    return `nats://${LOCALHOST}:${this.ports.client}`;
  }

  get monitorUrl(): string {
    return `http://${LOCALHOST}:${this.ports.monitoring}`;
  }

  get dir(): string {
    return this.spec.dir;
  }

  get storeDir(): string {
    return join(this.spec.dir, 'store');
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

  async start(): Promise<void> {
    this.serverVersion = await readServerVersion(this.spec.binary);
    await this.boot();
    this.spec.config.port = this.ports.client;
    this.spec.config.httpPort = this.ports.monitoring;
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
      throw new Error(`The nats-server in ${this.spec.dir} has been disposed and cannot restart.`);
    }
    await this.stop();
    this.output.note('--- restart ---');
    await this.boot();
  }

  dispose(): Promise<void> {
    this.disposal ??= this.stop('SIGKILL').then(() => rm(this.spec.dir, { recursive: true, force: true }));
    return this.disposal;
  }

  /** Spawns until ready; a pinned port still held by a closing socket is retried until the deadline. */
  private async boot(): Promise<void> {
    const deadline = Date.now() + this.spec.startTimeoutMs;
    for (;;) {
      const mark = this.output.mark();
      try {
        this.ports = await this.spawnOnce(deadline);
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

  private async spawnOnce(deadline: number): Promise<ListeningPorts> {
    await this.prepareDir();
    const child = this.spawnChild();
    try {
      return await this.waitUntilReady(child, deadline);
    } catch (error) {
      child.kill('SIGKILL');
      await this.exited;
      throw error;
    }
  }

  private async prepareDir(): Promise<void> {
    const stalePortsFiles = (await readdir(this.spec.dir)).filter((name) => name.endsWith('.ports'));
    await Promise.all(stalePortsFiles.map((name) => unlink(join(this.spec.dir, name))));
    await writeFile(this.configPath(), renderConfig(this.spec.dir, this.storeDir, this.spec.config));
  }

  private spawnChild(): ChildProcess {
    const child = spawn(this.spec.binary, ['-c', this.configPath()], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    reaper.track(child);
    return child;
  }

  private async waitUntilReady(child: ChildProcess, deadline: number): Promise<ListeningPorts> {
    while (Date.now() < deadline) {
      if (!isAlive(child)) {
        await this.exited;
        throw this.startError(`nats-server exited before it was ready (${describeExit(child)})`);
      }
      const ports = await readPortsFile(this.spec.dir, child.pid);
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
    return join(this.spec.dir, 'nats-server.conf');
  }
}

function renderConfig(dir: string, storeDir: string, config: NatsServerConfig): string {
  const lines = [
    config.serverName === undefined ? '' : `server_name: ${quote(config.serverName)}`,
    `host: ${quote(LOCALHOST)}`,
    `port: ${config.port}`,
    `http: ${quote(`${LOCALHOST}:${config.httpPort}`)}`,
    `ports_file_dir: ${quote(dir)}`,
    config.jetstream ? renderJetStream(storeDir, config) : '',
    config.auth ? renderAuth(config.auth) : '',
    config.cluster ? renderCluster(config.cluster) : '',
    config.extraConfig ?? '',
  ];
  return `${lines.filter((line) => line.length > 0).join('\n')}\n`;
}

function renderJetStream(storeDir: string, config: NatsServerConfig): string {
  const limits = [
    config.maxFileStore === undefined ? '' : `  max_file_store: ${config.maxFileStore}`,
    config.maxMemoryStore === undefined ? '' : `  max_memory_store: ${config.maxMemoryStore}`,
  ];
  return ['jetstream {', `  store_dir: ${quote(storeDir)}`, ...limits.filter(Boolean), '}'].join('\n');
}

function renderAuth(auth: NatsServerAuth): string {
  const fields =
    'token' in auth
      ? [`  token: ${quote(auth.token)}`]
      : [`  user: ${quote(auth.user)}`, `  password: ${quote(auth.password)}`];
  return ['authorization {', ...fields, '}'].join('\n');
}

function renderCluster(cluster: NonNullable<NatsServerConfig['cluster']>): string {
  const routes = cluster.routePorts.map((port) => `    ${quote(`nats-route://${LOCALHOST}:${port}`)}`);
  return [
    'cluster {',
    `  name: ${quote(cluster.name)}`,
    `  listen: ${quote(`${LOCALHOST}:${cluster.port}`)}`,
    '  routes: [',
    ...routes,
    '  ]',
    '}',
  ].join('\n');
}

/** nats-server config strings accept JSON-style quoting. */
function quote(value: string): string {
  return JSON.stringify(value);
}

async function readServerVersion(binary: string): Promise<string> {
  const { stdout } = await promisify(execFile)(binary, ['--version']);
  const match = /v?(\d+\.\d+\.\d+\S*)/.exec(stdout);
  if (!match) {
    throw new NatsServerStartError(`Cannot parse the version of ${binary} from: ${stdout.trim()}`, '');
  }
  return match[1];
}

/** The server writes `<executable>_<pid>.ports` once its listeners are up. */
async function readPortsFile(dir: string, pid: number | undefined): Promise<ListeningPorts | undefined> {
  const name = (await readdir(dir)).find((entry) => entry.endsWith(`_${pid}.ports`));
  if (!name) {
    return undefined;
  }
  try {
    const ports = JSON.parse(await readFile(join(dir, name), 'utf8')) as { nats?: string[]; monitoring?: string[] };
    return { client: portOf(ports.nats?.[0]), monitoring: portOf(ports.monitoring?.[0]) };
  } catch {
    return undefined;
  }
}

function portOf(url: string | undefined): number {
  const port = Number(new URL(url ?? '').port);
  if (!port) {
    throw new Error(`no port in ${url}`);
  }
  return port;
}

function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = connectTcp({ host: LOCALHOST, port });
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
  const settled = await Promise.race([
    promise.then(() => true),
    delay(ms, false, { signal: timer.signal }).catch(() => false),
  ]);
  timer.abort();
  return settled;
}

/** Keeps the last `max` lines of a process' output. */
class LogBuffer {
  private readonly lines: string[] = [];
  private partial = '';
  private total = 0;

  constructor(private readonly max: number) {}

  append(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    parts.forEach((line) => this.note(line));
  }

  note(line: string): void {
    this.lines.push(line);
    this.total += 1;
    if (this.lines.length > this.max) {
      this.lines.shift();
    }
  }

  /** A position to pass to {@link since}. */
  mark(): number {
    return this.total;
  }

  since(mark: number): string {
    const count = Math.min(this.total - mark, this.lines.length);
    return [...this.lines.slice(this.lines.length - count), this.partial].join('\n');
  }

  toString(): string {
    return [...this.lines, this.partial].filter(Boolean).join('\n');
  }
}

/**
 * Kills every server still running when this process ends. `process.on('exit')` covers plain
 * Node; under Jest that `process` is a sandbox copy whose 'exit' never fires, and a worker can
 * be killed outright, so a detached shell also kills the tracked pids when our end of its
 * stdin pipe closes, however this process dies.
 */
class ChildReaper {
  private readonly live = new Set<ChildProcess>();
  private guard?: ChildProcess;

  track(child: ChildProcess): void {
    if (child.pid === undefined) {
      return;
    }
    const pid = child.pid;
    this.ensureHooks();
    this.live.add(child);
    this.tellGuard(`add ${pid}`);
    child.once('exit', () => {
      this.live.delete(child);
      this.tellGuard(`del ${pid}`);
    });
  }

  private ensureHooks(): void {
    if (this.guard) {
      return;
    }
    process.on('exit', () => this.live.forEach((child) => child.kill('SIGKILL')));
    this.guard = spawn('/bin/sh', ['-c', GUARD_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    this.guard.on('error', () => undefined);
    this.guard.stdin?.on('error', () => undefined);
    (this.guard.stdin as Socket | null)?.unref();
    this.guard.unref();
  }

  private tellGuard(command: string): void {
    if (this.guard?.stdin?.writable) {
      this.guard.stdin.write(`${command}\n`);
    }
  }
}

const GUARD_SCRIPT = `
pids=" "
while read -r op pid; do
  case "$op" in
    add) pids="$pids$pid " ;;
    del) rest=" "; for p in $pids; do [ "$p" = "$pid" ] || rest="$rest$p "; done; pids="$rest" ;;
  esac
done
kill -KILL $pids 2>/dev/null
exit 0
`;

const reaper = new ChildReaper();
