import { setTimeout as delay } from 'node:timers/promises';

import type { NatsServerAccounts } from './nats-server-auth.js';
import { validateAuthSettings } from './nats-server-auth.validation.js';
import type { NatsLeafRemote } from './nats-server-config.js';
import { readMonitoring } from './nats-monitoring.js';
import { validateJetStreamDomain } from './nats-server.js';
import type { NatsTestServer } from './nats-test-server.js';
import { launchNatsServer, type ManagedNatsServer } from './nats-server-process.js';
import { NatsServerStartError } from './nats-server-start.error.js';
import { InvalidNatsTestOptionsError } from './nats-test-options.error.js';
import { binaryPath, byteSize, nonEmptyString, optionsObject, timeoutMs } from './nats-test-options.validation.js';
import { readyOrDisposed } from './ready-or-disposed.js';
import { logTails } from './server-log-buffer.js';

/** Options of {@link startNatsLeafTopology}. */
export interface NatsLeafTopologyOptions {
  /**
   * JetStream domain of the hub server.
   * @default 'hub'
   */
  hubDomain?: string;
  /**
   * JetStream domain of the leaf-node server; must differ from `hubDomain`.
   * @default 'leaf'
   */
  leafDomain?: string;
  /**
   * Accounts configured identically on both servers. Without them both servers use their one
   * global account and the leaf connection needs no credentials.
   * @default undefined
   */
  accounts?: NatsServerAccounts;
  /**
   * The account the leaf connection carries: its first user's credentials log in to the hub,
   * and only this account's subjects (and JetStream domains) are shared.
   * @default the first account with JetStream, when `accounts` is given
   */
  leafAccount?: string;
  /**
   * JetStream `max_file_store` of each server, in bytes.
   * @default the server's own default
   */
  maxFileStore?: number;
  /**
   * Path of the nats-server executable.
   * @default resolveNatsServerBinary()
   */
  binary?: string;
  /**
   * How long each server may take to start, and the leaf connection to be established, in ms
   * (> 0, at most 2^31-1).
   * @default 30000
   */
  startTimeoutMs?: number;
}

/** A hub server and a leaf-node server connected to it, each with its own JetStream domain. */
export interface NatsLeafTopology {
  /** The hub: JetStream domain {@link hubDomain}, accepting leaf-node connections. */
  readonly hub: NatsTestServer;
  /** The leaf node: JetStream domain {@link leafDomain}, connected to the hub's leaf-node port. */
  readonly leaf: NatsTestServer;
  /** The hub's JetStream domain; a client of the leaf reaches it as `$JS.<hubDomain>.API.>`. */
  readonly hubDomain: string;
  /** The leaf's JetStream domain; its clients' plain `$JS.API.>` stays in it. */
  readonly leafDomain: string;
  /**
   * Waits until the leaf node is connected to the hub and has learned the hub's JetStream API
   * interest (after a restart of either server, for example).
   * @param timeoutMs - milliseconds, > 0 and at most 2^31-1. @default 30000
   * @throws {InvalidNatsTestOptionsError} (as a rejection) for any other `timeoutMs`.
   * @throws {NatsServerStartError} when the leaf is not connected in time.
   */
  waitForLeafConnection(timeoutMs?: number): Promise<void>;
  /** Kills both servers and removes their directories. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * Starts a hub server with JetStream domain `hub` and a leaf-node server with its own JetStream
 * domain `leaf` connected to it, and resolves once the leaf connection carries the hub's
 * JetStream API (polled on the leaf's `/leafz`). A client of the leaf manages its own domain
 * with the plain JetStream API and the hub's with `jetstreamManager({ domain: 'hub' })`. Both
 * keep their ports across restarts; dispose the topology to kill both and remove their files.
 *
 * @throws {InvalidNatsTestOptionsError} for an options argument that is not a plain object, an
 *   unknown key, a value of the wrong type or range, equal or invalid domains, or an unusable
 *   `leafAccount`; before any server starts.
 * @throws {NatsServerStartError} when a server does not start or the leaf does not connect in time.
 * @example
 * const topology = await startNatsLeafTopology();
 * const nc = await connect({ servers: topology.leaf.url });
 * const hubJsm = await nc.jetstreamManager({ domain: topology.hubDomain });
 * await hubJsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] }); // stored on the hub
 * await nc.jetstream({ domain: topology.hubDomain }).publish('orders.1', data);
 */
export async function startNatsLeafTopology(options?: NatsLeafTopologyOptions): Promise<NatsLeafTopology> {
  const given = optionsObject('startNatsLeafTopology options', options, OPTION_KEYS);
  const hubDomain = given.hubDomain ?? DEFAULT_HUB_DOMAIN;
  const leafDomain = given.leafDomain ?? DEFAULT_LEAF_DOMAIN;
  validateJetStreamDomain('hubDomain', hubDomain, true);
  validateJetStreamDomain('leafDomain', leafDomain, true);
  if (hubDomain === leafDomain) {
    throw new InvalidNatsTestOptionsError('leafDomain', `must differ from hubDomain, both are "${hubDomain}"`);
  }
  validateAuthSettings({ accounts: given.accounts }, true);
  const remoteAccount = leafRemoteAccount(given);
  const startTimeoutMs = timeoutMs('startTimeoutMs', given.startTimeoutMs, DEFAULT_TIMEOUT_MS);
  const common = { jetstream: true, maxFileStore: byteSize('maxFileStore', given.maxFileStore), accounts: given.accounts };
  const binary = binaryPath(given.binary);

  const hub = await launchNatsServer({
    binary,
    startTimeoutMs,
    config: { ...common, serverName: 'hub', jetstreamDomain: hubDomain, leafnodeListener: true },
  });
  let leaf: NatsTestServer | undefined;
  await readyOrDisposed(hub, async () => {
    const remote: NatsLeafRemote = { port: leafnodePort(hub), account: remoteAccount };
    leaf = await launchNatsServer({
      binary,
      startTimeoutMs,
      config: { ...common, serverName: 'leaf', jetstreamDomain: leafDomain, leafnodeRemotes: [remote] },
    });
  });
  const topology = new ManagedLeafTopology(hub, leaf as NatsTestServer, hubDomain, leafDomain, remoteAccount?.name ?? GLOBAL_ACCOUNT);
  return readyOrDisposed(topology, (t) => t.waitForLeafConnection(startTimeoutMs));
}

const OPTION_KEYS: readonly (keyof NatsLeafTopologyOptions)[] = [
  'hubDomain',
  'leafDomain',
  'accounts',
  'leafAccount',
  'maxFileStore',
  'binary',
  'startTimeoutMs',
];
const DEFAULT_HUB_DOMAIN = 'hub';
const DEFAULT_LEAF_DOMAIN = 'leaf';
const DEFAULT_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;
const GLOBAL_ACCOUNT = '$G';

class ManagedLeafTopology implements NatsLeafTopology {
  private disposal?: Promise<void>;

  constructor(
    readonly hub: NatsTestServer,
    readonly leaf: NatsTestServer,
    readonly hubDomain: string,
    readonly leafDomain: string,
    private readonly account: string,
  ) {}

  async waitForLeafConnection(timeout?: number): Promise<void> {
    const waitMs = timeoutMs('timeoutMs', timeout, DEFAULT_TIMEOUT_MS);
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (await this.carriesHubApi()) {
        return;
      }
      await delay(POLL_INTERVAL_MS);
    }
    throw new NatsServerStartError(
      `The leaf node did not connect to the hub (account ${this.account}, hub API $JS.${this.hubDomain}.API.>) within ${waitMs} ms`,
      logTails([
        ['hub', this.hub],
        ['leaf', this.leaf],
      ]),
    );
  }

  dispose(): Promise<void> {
    this.disposal ??= Promise.all([this.leaf.dispose(), this.hub.dispose()]).then(() => undefined);
    return this.disposal;
  }

  /**
   * Ready when both ends list the connection: the hub (only a running hub process lists it, so
   * a connection to a hub that has since restarted does not count) and the leaf, with the hub's
   * JetStream API subjects among the subscriptions the hub sent over it, which means requests
   * from the leaf's clients will reach the hub.
   */
  private async carriesHubApi(): Promise<boolean> {
    const [hubSide, leafSide] = (await Promise.all([
      readMonitoring(this.hub.monitorUrl, '/leafz'),
      readMonitoring(this.leaf.monitorUrl, '/leafz?subs=1'),
    ])) as (Leafz | undefined)[];
    const hubApi = `$JS.${this.hubDomain}.API.`;
    const accepted = (hubSide?.leafs ?? []).some((connection) => connection.account === this.account);
    return (
      accepted &&
      (leafSide?.leafs ?? []).some(
        (connection) =>
          connection.account === this.account && (connection.subscriptions_list ?? []).some((subject) => subject.startsWith(hubApi)),
      )
    );
  }
}

interface Leafz {
  leafs?: { account?: string; subscriptions_list?: string[] }[];
}

function leafRemoteAccount(options: NatsLeafTopologyOptions): NatsLeafRemote['account'] {
  const accounts = options.accounts;
  const leafAccount = nonEmptyString('leafAccount', options.leafAccount);
  if (!accounts) {
    if (leafAccount !== undefined) {
      throw new InvalidNatsTestOptionsError('leafAccount', 'names an account, but no accounts are given');
    }
    return undefined;
  }
  const name = leafAccount ?? Object.keys(accounts).find((key) => accounts[key].jetstream);
  const account = name === undefined ? undefined : accounts[name];
  if (name === undefined || !account) {
    throw new InvalidNatsTestOptionsError('leafAccount', `must name one of the accounts (${Object.keys(accounts).join(', ')})`);
  }
  const [first] = account.users;
  if (!first) {
    throw new InvalidNatsTestOptionsError(`accounts.${name}.users`, 'the leaf account needs a user to log in to the hub');
  }
  return { name, user: first.user, password: first.password };
}

function leafnodePort(hub: ManagedNatsServer): number {
  const port = hub.ports.leafnode;
  if (port === undefined) {
    throw new NatsServerStartError(`The hub in ${hub.dir} reported no leaf-node port`, hub.logs());
  }
  return port;
}
