import { get } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

import { resolveNatsServerBinary } from './nats-server-binary.js';
import {
  createServerDir,
  launchNatsServer,
  NatsServerStartError,
  type NatsServerLaunchSpec,
  type NatsTestServer,
} from './nats-server.js';

/** Options of {@link startNatsCluster}. */
export interface NatsClusterOptions {
  /**
   * Number of JetStream nodes, named `n1`..`nN`.
   * @default 3
   */
  size?: number;
  /**
   * Path of the nats-server executable.
   * @default resolveNatsServerBinary()
   */
  binary?: string;
  /**
   * The cluster's `name`.
   * @default 'test-cluster'
   */
  clusterName?: string;
  /**
   * JetStream `max_file_store` of every node, in bytes.
   * @default the server's own default
   */
  maxFileStore?: number;
  /**
   * How long each node may take to accept connections, and the cluster to elect a
   * JetStream meta leader, in milliseconds.
   * @default 30000
   */
  startTimeoutMs?: number;
}

/** A JetStream cluster of nats-server processes on 127.0.0.1, fully meshed. */
export interface NatsTestCluster {
  /** The nodes, `n1` first; each keeps its ports, store and routes across stop/restart. */
  readonly nodes: readonly NatsTestServer[];
  /** Client URLs of all nodes. */
  readonly urls: string[];
  /**
   * Waits until every running node reports the same JetStream meta leader and returns its name.
   * @param timeoutMs - @default 30000
   */
  waitForMetaLeader(timeoutMs?: number): Promise<string>;
  /** Kills every node and removes their directories. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * Starts a JetStream cluster and waits for its meta leader.
 * Dispose it (`afterAll`) to kill the nodes and remove their directories.
 *
 * @example
 * const cluster = await startNatsCluster({ size: 3 });
 * const nc = await connect({ servers: cluster.urls });
 * await (await nc.jetstreamManager()).streams.add({ name: 'S', subjects: ['s.>'], num_replicas: 3 });
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsTestCluster> {
  const size = options.size ?? DEFAULT_SIZE;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`A cluster needs a positive whole number of nodes, got ${size}.`);
  }
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const specs = await nodeSpecs(size, options, startTimeoutMs);
  const cluster = new ManagedNatsCluster(await launchAll(specs));
  try {
    await cluster.waitForMetaLeader(startTimeoutMs);
    return cluster;
  } catch (error) {
    await cluster.dispose();
    throw error;
  }
}

const DEFAULT_SIZE = 3;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CLUSTER_NAME = 'test-cluster';
const POLL_INTERVAL_MS = 200;
const HTTP_TIMEOUT_MS = 1_000;
const LOG_TAIL_LINES = 20;

class ManagedNatsCluster implements NatsTestCluster {
  private disposal?: Promise<void>;

  constructor(readonly nodes: readonly NatsTestServer[]) {}

  get urls(): string[] {
    return this.nodes.map((node) => node.url);
  }

  async waitForMetaLeader(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let seen: (string | undefined)[] = [];
    while (Date.now() < deadline) {
      seen = await Promise.all(this.runningNodes().map(readMetaLeader));
      const leader = seen[0];
      if (leader && seen.every((name) => name === leader)) {
        return leader;
      }
      await delay(POLL_INTERVAL_MS);
    }
    throw new NatsServerStartError(
      `The cluster had no agreed JetStream meta leader within ${timeoutMs} ms (leaders seen: ${JSON.stringify(seen)})`,
      this.logTails(),
    );
  }

  dispose(): Promise<void> {
    this.disposal ??= Promise.all(this.nodes.map((node) => node.dispose())).then(() => undefined);
    return this.disposal;
  }

  private runningNodes(): NatsTestServer[] {
    return this.nodes.filter((node) => node.running);
  }

  private logTails(): string {
    return this.nodes
      .map((node, index) => `[n${index + 1}]\n${node.logs().split('\n').slice(-LOG_TAIL_LINES).join('\n')}`)
      .join('\n');
  }
}

async function nodeSpecs(
  size: number,
  options: NatsClusterOptions,
  startTimeoutMs: number,
): Promise<NatsServerLaunchSpec[]> {
  const binary = options.binary ?? resolveNatsServerBinary();
  const clusterPorts = await allocatePorts(size);
  const dirs = await Promise.all(clusterPorts.map(() => createServerDir()));
  return clusterPorts.map((port, index) => ({
    binary,
    dir: dirs[index],
    startTimeoutMs,
    config: {
      serverName: `n${index + 1}`,
      port: -1,
      httpPort: -1,
      jetstream: true,
      maxFileStore: options.maxFileStore,
      cluster: {
        name: options.clusterName ?? DEFAULT_CLUSTER_NAME,
        port,
        routePorts: clusterPorts.filter((other) => other !== port),
      },
    },
  }));
}

/** Starts every node; if one fails, the others are disposed and the first failure is thrown. */
async function launchAll(specs: NatsServerLaunchSpec[]): Promise<NatsTestServer[]> {
  const results = await Promise.allSettled(specs.map(launchNatsServer));
  const nodes = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await Promise.all(nodes.map((node) => node.dispose()));
    throw failure.reason;
  }
  return nodes;
}

/** Free ports on 127.0.0.1, held open together so that none is handed out twice. */
async function allocatePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, listenOnFreePort));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function listenOnFreePort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** The meta leader a node reports on `/jsz`; undefined while there is none or the node does not answer. */
async function readMetaLeader(node: NatsTestServer): Promise<string | undefined> {
  const jsz = (await getJson(`${node.monitorUrl}/jsz`)) as { meta_cluster?: { leader?: string } } | undefined;
  return jsz?.meta_cluster?.leader || undefined;
}

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: HTTP_TIMEOUT_MS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(parseJson(body)));
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
