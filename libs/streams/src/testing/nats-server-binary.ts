import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The release channels `npm run nats:install` installs under `.nats-server/<channel>/`. */
export type NatsServerChannel = 'stable' | 'unstable';

const CHANNELS: readonly NatsServerChannel[] = ['unstable', 'stable'];
const INSTALL_HINT =
  'Run `npm run nats:install` to install both channels into .nats-server/, ' +
  'put nats-server on PATH, or set NATS_SERVER_BIN to its path.';

/** Thrown when no usable nats-server executable can be found. */
export class NatsServerBinaryNotFoundError extends Error {
  constructor(
    message: string,
    /** The paths that were looked at, in order. */
    readonly searched: readonly string[],
  ) {
    super(message);
    this.name = 'NatsServerBinaryNotFoundError';
  }
}

/**
 * Finds the nats-server executable the test harness runs.
 *
 * Order: `NATS_SERVER_BIN`; else `NATS_SERVER_CHANNEL` (`stable` | `unstable`) as
 * `<cwd>/.nats-server/<channel>/nats-server`; else the unstable, then the stable channel
 * under `<cwd>/.nats-server/`; else `nats-server` on `PATH`.
 *
 * @throws {NatsServerBinaryNotFoundError} when the chosen or every candidate is missing.
 */
export function resolveNatsServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NATS_SERVER_BIN) {
    return requireExecutable(env.NATS_SERVER_BIN, 'NATS_SERVER_BIN');
  }
  if (env.NATS_SERVER_CHANNEL) {
    const channel = parseChannel(env.NATS_SERVER_CHANNEL);
    return requireExecutable(channelBinary(channel), `NATS_SERVER_CHANNEL=${channel}`);
  }
  const candidates = [...CHANNELS.map(channelBinary), ...pathCandidates(env.PATH)];
  const found = candidates.find(isExecutable);
  if (!found) {
    throw new NatsServerBinaryNotFoundError(`No nats-server executable found. ${INSTALL_HINT}`, candidates);
  }
  return found;
}

function channelBinary(channel: NatsServerChannel): string {
  return join(process.cwd(), '.nats-server', channel, 'nats-server');
}

function parseChannel(value: string): NatsServerChannel {
  if ((CHANNELS as readonly string[]).includes(value)) {
    return value as NatsServerChannel;
  }
  throw new NatsServerBinaryNotFoundError(
    `NATS_SERVER_CHANNEL must be 'stable' or 'unstable', got '${value}'.`,
    [],
  );
}

function requireExecutable(file: string, source: string): string {
  if (!isExecutable(file)) {
    throw new NatsServerBinaryNotFoundError(
      `${source} points to ${file}, which is not an executable file. ${INSTALL_HINT}`,
      [file],
    );
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
