import { quote, renderAuthConfig, type NatsAuthSettings } from './nats-server-auth.js';
import { LOCALHOST, type NatsServerPorts } from './nats-server-ports.js';

/** @internal A listener port that lets the server pick a free one (read back after start). */
export const ANY_PORT = -1;

/** @internal A leaf-node remote: the hub's leaf-node port on 127.0.0.1, bound to an account. */
export interface NatsLeafRemote {
  port: number;
  /** Local account the connection carries, with the hub credentials of one of its users. */
  account?: { name: string; user: string; password: string };
}

/**
 * @internal Everything one server's config file says except its listener ports, which are
 * rendered from {@link NatsServerPorts} (`-1` until the server has chosen them, then pinned).
 */
export interface NatsServerConfig extends NatsAuthSettings {
  serverName?: string;
  jetstream: boolean;
  jetstreamDomain?: string;
  maxFileStore?: number;
  maxMemoryStore?: number;
  /** A cluster listener, soliciting routes to these cluster ports on 127.0.0.1. */
  cluster?: { name: string; routes: readonly number[] };
  /** Opens a leaf-node listener (hub side). */
  leafnodeListener?: boolean;
  /** Leaf-node connections this server makes (leaf side). */
  leafnodeRemotes?: readonly NatsLeafRemote[];
  extraConfig?: string;
}

/** @internal Where a server keeps its files. */
export interface NatsServerPaths {
  /** Directory of the config and the ports file. */
  dir: string;
  /** JetStream `store_dir`. */
  storeDir: string;
}

/** @internal The text of a nats-server config file. */
export function renderNatsServerConfig(config: NatsServerConfig, paths: NatsServerPaths, ports: NatsServerPorts): string {
  const blocks = [
    config.serverName === undefined ? '' : `server_name: ${quote(config.serverName)}`,
    `host: ${quote(LOCALHOST)}`,
    `port: ${ports.client}`,
    `http: ${hostPort(ports.monitoring)}`,
    `ports_file_dir: ${quote(paths.dir)}`,
    config.jetstream ? renderJetStream(config, paths.storeDir) : '',
    ...renderAuthConfig(config),
    config.cluster ? renderCluster(config.cluster, ports.cluster ?? ANY_PORT) : '',
    renderLeafnodes(config, ports.leafnode ?? ANY_PORT),
    config.extraConfig ?? '',
  ];
  return `${blocks.filter((block) => block.length > 0).join('\n')}\n`;
}

function renderJetStream(config: NatsServerConfig, storeDir: string): string {
  const fields = [
    `store_dir: ${quote(storeDir)}`,
    config.jetstreamDomain === undefined ? '' : `domain: ${quote(config.jetstreamDomain)}`,
    config.maxFileStore === undefined ? '' : `max_file_store: ${config.maxFileStore}`,
    config.maxMemoryStore === undefined ? '' : `max_memory_store: ${config.maxMemoryStore}`,
  ];
  return block('jetstream', fields);
}

function renderCluster(cluster: NonNullable<NatsServerConfig['cluster']>, port: number): string {
  const routes = cluster.routes.map((route) => quote(`nats-route://${LOCALHOST}:${route}`));
  return block('cluster', [`name: ${quote(cluster.name)}`, `listen: ${hostPort(port)}`, `routes: [ ${routes.join(', ')} ]`]);
}

function renderLeafnodes(config: NatsServerConfig, port: number): string {
  if (!config.leafnodeListener && !config.leafnodeRemotes?.length) {
    return '';
  }
  const remotes = (config.leafnodeRemotes ?? []).map(renderRemote);
  return block('leafnodes', [
    config.leafnodeListener ? `listen: ${hostPort(port)}` : '',
    remotes.length > 0 ? `remotes: [ ${remotes.join(', ')} ]` : '',
  ]);
}

function renderRemote(remote: NatsLeafRemote): string {
  const url = new URL(`nats-leaf://${LOCALHOST}:${remote.port}`);
  if (!remote.account) {
    return `{ url: ${quote(url.href)} }`;
  }
  url.username = encodeURIComponent(remote.account.user);
  url.password = encodeURIComponent(remote.account.password);
  return `{ url: ${quote(url.href)}, account: ${quote(remote.account.name)} }`;
}

function hostPort(port: number): string {
  return quote(`${LOCALHOST}:${port}`);
}

function block(name: string, fields: string[]): string {
  return [`${name} {`, ...fields.filter(Boolean).map((field) => `  ${field}`), '}'].join('\n');
}
