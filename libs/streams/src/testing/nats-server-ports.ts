import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import { readMonitoring } from './nats-monitoring.js';

/** @internal The host every test server listens on and every route or remote points to. */
export const LOCALHOST = '127.0.0.1';

/** The ports a test server listens on, as the server itself reports them. */
export interface NatsServerPorts {
  /** Client port. */
  readonly client: number;
  /** HTTP monitoring port. */
  readonly monitoring: number;
  /** Cluster (route) port, on cluster nodes only. */
  readonly cluster?: number;
  /** Leaf-node listener port, on servers that accept leaf nodes only. */
  readonly leafnode?: number;
}

/** @internal Which optional listeners a server was configured with. */
export interface ExpectedListeners {
  cluster: boolean;
  leafnode: boolean;
}

/**
 * @internal Reads the ports a running server chose: client, monitoring and cluster from the
 * ports file it writes to `ports_file_dir` once its listeners are up (`<executable>_<pid>.ports`),
 * the leaf-node port from `/varz` (the ports file has none). `undefined` while not all are known.
 */
export async function readServerPorts(dir: string, pid: number, expected: ExpectedListeners): Promise<NatsServerPorts | undefined> {
  const file = await readPortsFile(dir, pid);
  if (!file || (expected.cluster && file.cluster === undefined)) {
    return undefined;
  }
  if (!expected.leafnode) {
    return file;
  }
  const varz = (await readMonitoring(`http://${LOCALHOST}:${file.monitoring}`, '/varz')) as VarzLeaf | undefined;
  const leafnode = varz?.leaf?.port;
  return leafnode && leafnode > 0 ? { ...file, leafnode } : undefined;
}

/** @internal Removes ports files of earlier processes, so that a restart reads its own. */
export async function removePortsFiles(dir: string): Promise<void> {
  const stale = (await readdir(dir)).filter((name) => name.endsWith(PORTS_SUFFIX));
  await Promise.all(stale.map((name) => unlink(join(dir, name))));
}

const PORTS_SUFFIX = '.ports';

interface PortsFile {
  nats?: string[];
  monitoring?: string[];
  cluster?: string[];
}

interface VarzLeaf {
  leaf?: { port?: number };
}

async function readPortsFile(dir: string, pid: number): Promise<NatsServerPorts | undefined> {
  const name = (await readdir(dir)).find((entry) => entry.endsWith(`_${pid}${PORTS_SUFFIX}`));
  if (!name) {
    return undefined;
  }
  try {
    const ports = JSON.parse(await readFile(join(dir, name), 'utf8')) as PortsFile;
    const cluster = ports.cluster?.[0];
    return {
      client: portOf(ports.nats?.[0]),
      monitoring: portOf(ports.monitoring?.[0]),
      ...(cluster === undefined ? {} : { cluster: portOf(cluster) }),
    };
  } catch {
    // Read while the server was still writing it: try again on the next poll.
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
