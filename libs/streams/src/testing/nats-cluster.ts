import { setTimeout as delay } from 'node:timers/promises';

import type { NatsTestServer } from './nats-test-server.js';
import { resolveNatsServerBinary } from './nats-server-binary.js';
import { readMonitoring } from './nats-monitoring.js';
import { launchNatsServer, type ManagedNatsServer, type NatsServerLaunchSpec } from './nats-server-process.js';
import { NatsServerStartError } from './nats-server-start.error.js';
import { InvalidNatsTestOptionsError } from './nats-test-options.error.js';
import { logTails } from './server-log-buffer.js';
import { readyOrDisposed } from './ready-or-disposed.js';

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
  /**
   * The nodes, `n1` first. Each keeps its ports (`ports.cluster` included), store and routes
   * to every other node across stop/restart.
   */
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
 * Starts a JetStream cluster and waits for its meta leader. Every listener uses a port the
 * server picks: `n1` starts first, the others route to its cluster port, and once all are up
 * every node's config names every other node's cluster port, so any node restarts into the mesh.
 * Dispose it (`afterAll`) to kill the nodes and remove their directories.
 *
 * @throws {InvalidNatsTestOptionsError} when `size` is not a positive whole number.
 * @throws {NatsServerStartError} when a node does not start or no meta leader is elected in time.
 * @example
 * const cluster = await startNatsCluster({ size: 3 });
 * const nc = await connect({ servers: cluster.urls });
 * await (await nc.jetstreamManager()).streams.add({ name: 'S', subjects: ['s.>'], num_replicas: 3 });
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsTestCluster> {
  const size = options.size ?? DEFAULT_SIZE;
  if (!Number.isInteger(size) || size < 1) {
    throw new InvalidNatsTestOptionsError('size', `a cluster needs a positive whole number of nodes, got ${size}`);
  }
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const binary = options.binary ?? resolveNatsServerBinary();
  const specs = Array.from({ length: size }, (_, index) => nodeSpec(index, binary, options, startTimeoutMs));
  const nodes = await launchMesh(specs);
  return readyOrDisposed(new ManagedNatsCluster(nodes), (cluster) => cluster.waitForMetaLeader(startTimeoutMs));
}

const DEFAULT_SIZE = 3;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CLUSTER_NAME = 'test-cluster';
const POLL_INTERVAL_MS = 200;
/**
 * JetStream refuses to run clustered without a configured route, and before `n1` runs no cluster
 * port is known: `n1` starts with a route to port 0, which refuses every connection, and drops it
 * by a config reload once the other nodes are up (a one-node cluster keeps it).
 */
const PLACEHOLDER_ROUTE_PORT = 0;

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
      logTails(this.nodes.map((node, index) => [`n${index + 1}`, node])),
    );
  }

  dispose(): Promise<void> {
    this.disposal ??= Promise.all(this.nodes.map((node) => node.dispose())).then(() => undefined);
    return this.disposal;
  }

  private runningNodes(): NatsTestServer[] {
    return this.nodes.filter((node) => node.running);
  }
}

function nodeSpec(index: number, binary: string, options: NatsClusterOptions, startTimeoutMs: number): NatsServerLaunchSpec {
  return {
    binary,
    startTimeoutMs,
    config: {
      serverName: `n${index + 1}`,
      jetstream: true,
      maxFileStore: options.maxFileStore,
      cluster: { name: options.clusterName ?? DEFAULT_CLUSTER_NAME, routes: [PLACEHOLDER_ROUTE_PORT] },
    },
  };
}

/**
 * Starts the seed node, then the others routed to it (they find each other through the seed's
 * gossip), then pins every node's routes to all the others. If one fails, all are disposed.
 */
async function launchMesh(specs: NatsServerLaunchSpec[]): Promise<ManagedNatsServer[]> {
  const [seedSpec, ...otherSpecs] = specs;
  const seed = await launchNatsServer(seedSpec);
  const seedRoute = clusterPort(seed);
  otherSpecs.forEach((spec) => setRoutes(spec, [seedRoute]));
  const results = await Promise.allSettled(otherSpecs.map(launchNatsServer));
  const nodes = [seed, ...results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))];
  try {
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) {
      throw failure.reason;
    }
    const ports = nodes.map(clusterPort);
    specs.forEach((spec, index) => setRoutes(spec, ports.filter((_, other) => other !== index)));
    if (nodes.length > 1) {
      await seed.reload();
    }
    return nodes;
  } catch (error) {
    await Promise.all(nodes.map((node) => node.dispose()));
    throw error;
  }
}

function setRoutes(spec: NatsServerLaunchSpec, routes: number[]): void {
  const cluster = spec.config.cluster;
  if (cluster) {
    spec.config.cluster = { ...cluster, routes };
  }
}

function clusterPort(node: ManagedNatsServer): number {
  const port = node.ports.cluster;
  if (port === undefined) {
    throw new NatsServerStartError(`The cluster node in ${node.dir} reported no cluster port`, node.logs());
  }
  return port;
}

/** The meta leader a node reports on `/jsz`; undefined while there is none or the node does not answer. */
async function readMetaLeader(node: NatsTestServer): Promise<string | undefined> {
  const jsz = (await readMonitoring(node.monitorUrl, '/jsz')) as { meta_cluster?: { leader?: string } } | undefined;
  return jsz?.meta_cluster?.leader || undefined;
}
