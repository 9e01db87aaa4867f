import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

import { StreamsError } from '../errors/streams.error.js';
import { NatsServerStartError } from './nats-server-start.error.js';

/**
 * A release channel of a per-project nats-server install under `<cwd>/.nats-server/<channel>/`
 * (this repository's own installer names them by Debian suite: `bookworm` 2.9, `trixie` 2.10, `unstable` the newest).
 */
export type NatsServerChannel = 'bookworm' | 'trixie' | 'unstable';

/** Thrown when no usable nats-server executable can be found. The message says how to get one. */
export class NatsServerBinaryNotFoundError extends StreamsError {
  constructor(
    message: string,
    /** The paths that were looked at, in order. */
    readonly searched: readonly string[],
  ) {
    super(message);
  }
}

/**
 * Finds the nats-server executable the testing kit runs.
 *
 * Order: `NATS_SERVER_BIN`; else `NATS_SERVER_CHANNEL` (`bookworm` | `trixie` | `unstable`) as
 * `<cwd>/.nats-server/<channel>/nats-server`; else the unstable, trixie, then bookworm channel
 * under `<cwd>/.nats-server/`; else `nats-server` on `PATH` (where `apt-get install nats-server`
 * and `brew install nats-server` put it).
 *
 * @throws {NatsServerBinaryNotFoundError} when the chosen or every candidate is missing; its
 *   message lists what was searched and how to install nats-server.
 * @example
 * // NATS_SERVER_BIN=/opt/nats/nats-server npx jest
 * const binary = resolveNatsServerBinary(); // '/opt/nats/nats-server'
 */
export function resolveNatsServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NATS_SERVER_BIN) {
    return requireExecutable(env.NATS_SERVER_BIN, 'NATS_SERVER_BIN');
  }
  if (env.NATS_SERVER_CHANNEL) {
    const channel = parseChannel(env.NATS_SERVER_CHANNEL);
    return requireExecutable(channelBinary(channel), `NATS_SERVER_CHANNEL=${channel}`);
  }
  // PATH often names a directory twice (npm prepends node_modules/.bin per package level).
  const candidates = [...new Set([...CHANNELS.map(channelBinary), ...pathCandidates(env.PATH)])];
  const found = candidates.find(isExecutable);
  if (!found) {
    const searched = candidates.map((candidate) => `  ${candidate}`).join('\n');
    throw new NatsServerBinaryNotFoundError(`No nats-server executable found. Searched:\n${searched}\n${INSTALL_HINT}`, candidates);
  }
  return found;
}

/** @internal The version `nats-server --version` prints, e.g. `'2.9.10'`. */
export async function readNatsServerVersion(binary: string): Promise<string> {
  const { stdout } = await promisify(execFile)(binary, ['--version']);
  const match = /v?(\d+\.\d+\.\d+\S*)/.exec(stdout);
  if (!match) {
    throw new NatsServerStartError(`Cannot parse the version of ${binary} from: ${stdout.trim()}`, '');
  }
  return match[1];
}

const CHANNELS: readonly NatsServerChannel[] = ['unstable', 'trixie', 'bookworm'];

const INSTALL_HINT = [
  'Install nats-server so that it is on PATH, for example:',
  '  Debian/Ubuntu: sudo apt-get install nats-server',
  '  macOS:         brew install nats-server',
  '  any system:    a release binary from https://github.com/nats-io/nats-server/releases',
  'or point NATS_SERVER_BIN at an executable: NATS_SERVER_BIN=/path/to/nats-server',
].join('\n');

function channelBinary(channel: NatsServerChannel): string {
  return join(process.cwd(), '.nats-server', channel, 'nats-server');
}

function parseChannel(value: string): NatsServerChannel {
  if ((CHANNELS as readonly string[]).includes(value)) {
    return value as NatsServerChannel;
  }
  throw new NatsServerBinaryNotFoundError(
    `NATS_SERVER_CHANNEL must be one of ${CHANNELS.map((c) => `'${c}'`).join(', ')}, got '${value}'.`,
    [],
  );
}

/**
 * @internal `file`, when it is an executable file; `source` says where it came from
 * (`NATS_SERVER_BIN`, or a kit function's `binary` option).
 * @throws {NatsServerBinaryNotFoundError} when it is not.
 */
export function requireExecutable(file: string, source: string): string {
  if (!isExecutable(file)) {
    throw new NatsServerBinaryNotFoundError(`${source} points to ${file}, which is not an executable file.\n${INSTALL_HINT}`, [file]);
  }
  return file;
}

function pathCandidates(pathVariable: string | undefined): string[] {
  return (pathVariable ?? '')
    .split(delimiter)
    .filter((dir) => dir.length > 0)
    .map((dir) => join(dir, 'nats-server'));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
