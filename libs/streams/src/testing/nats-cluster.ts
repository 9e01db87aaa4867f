import { setTimeout as delay } from 'node:timers/promises';

import type { NatsTestServer } from './nats-test-server.js';
import { readMonitoring } from './nats-monitoring.js';
import { launchNatsServer, type ManagedNatsServer, type NatsServerLaunchSpec } from './nats-server-process.js';
import { NatsServerStartError } from './nats-server-start.error.js';
import { binaryPath, byteSize, integerInRange, optionsObject, serverWord, timeoutMs } from './nats-test-options.validation.js';
import { logTails } from './server-log-buffer.js';
import { readyOrDisposed } from './ready-or-disposed.js';

/** Options of {@link startNatsCluster}. */
export interface NatsClusterOptions {
  /**
   * Number of JetStream nodes, named `n1`..`nN`: a whole number from 3 to 9. Fewer are refused:
   * a one-node cluster waits for peers and never elects a meta leader, and two nodes elect one
   * but lose it as soon as either stops and cannot hold an R3 stream. More than 9 processes is
   * beyond what a test needs.
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
   * JetStream meta leader, in milliseconds (> 0, at most 2^31-1).
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
   * @param timeoutMs - milliseconds, > 0 and at most 2^31-1. @default 30000
   * @throws {InvalidNatsTestOptionsError} (as a rejection) for any other `timeoutMs`.
   * @throws {NatsServerStartError} when no leader is agreed in time.
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
 * @throws {InvalidNatsTestOptionsError} for an options argument that is not a plain object, an
 *   unknown key, or a value of the wrong type or range (e.g. `size` outside 3..9, a `startTimeoutMs`
 *   that is not a positive number); before any node starts.
 * @throws {NatsServerStartError} when a node does not start or no meta leader is elected in time.
 * @example
 * const cluster = await startNatsCluster({ size: 3 });
 * const nc = await connect({ servers: cluster.urls });
 * await (await nc.jetstreamManager()).streams.add({ name: 'S', subjects: ['s.>'], num_replicas: 3 });
 */
export async function startNatsCluster(options?: NatsClusterOptions): Promise<NatsTestCluster> {
  const given = optionsObject('startNatsCluster options', options, OPTION_KEYS);
  const size = integerInRange('size', given.size, SIZE_RANGE, DEFAULT_SIZE);
  const startTimeoutMs = timeoutMs('startTimeoutMs', given.startTimeoutMs, DEFAULT_TIMEOUT_MS);
  const node = {
    clusterName: serverWord('clusterName', given.clusterName) ?? DEFAULT_CLUSTER_NAME,
    maxFileStore: byteSize('maxFileStore', given.maxFileStore),
  };
  const binary = binaryPath(given.binary);
  const specs = Array.from({ length: size }, (_, index) => nodeSpec(index, binary, node, startTimeoutMs));
  const nodes = await launchMesh(specs);
  return readyOrDisposed(new ManagedNatsCluster(nodes), (cluster) => cluster.waitForMetaLeader(startTimeoutMs));
}

const OPTION_KEYS: readonly (keyof NatsClusterOptions)[] = ['size', 'binary', 'clusterName', 'maxFileStore', 'startTimeoutMs'];
const DEFAULT_SIZE = 3;
const SIZE_RANGE = { min: 3, max: 9 };
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CLUSTER_NAME = 'test-cluster';
const POLL_INTERVAL_MS = 200;
/**
 * JetStream refuses to run clustered without a configured route, and before `n1` runs no cluster
 * port is known: `n1` starts with a route to port 0, which refuses every connection, and drops it
 * by a config reload once the other nodes are up.
 */
const PLACEHOLDER_ROUTE_PORT = 0;

class ManagedNatsCluster implements NatsTestCluster {
  private disposal?: Promise<void>;

  constructor(readonly nodes: readonly NatsTestServer[]) {}

  get urls(): string[] {
    return this.nodes.map((node) => node.url);
  }

  async waitForMetaLeader(timeout?: number): Promise<string> {
    const waitMs = timeoutMs('timeoutMs', timeout, DEFAULT_TIMEOUT_MS);
    const deadline = Date.now() + waitMs;
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
      `The cluster had no agreed JetStream meta leader within ${waitMs} ms (leaders seen: ${JSON.stringify(seen)})`,
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

function nodeSpec(
  index: number,
  binary: string,
  node: { clusterName: string; maxFileStore?: number },
  startTimeoutMs: number,
): NatsServerLaunchSpec {
  return {
    binary,
    startTimeoutMs,
    config: {
      serverName: `n${index + 1}`,
      jetstream: true,
      maxFileStore: node.maxFileStore,
      cluster: { name: node.clusterName, routes: [PLACEHOLDER_ROUTE_PORT] },
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
    specs.forEach((spec, index) =>
      setRoutes(
        spec,
        ports.filter((_, other) => other !== index),
      ),
    );
    await seed.reload();
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
