import type { NatsServerAccounts, NatsServerAuth, NatsServerUser } from './nats-server-auth.js';
import { validateAuthSettings } from './nats-server-auth.validation.js';
import { InvalidNatsTestOptionsError } from './nats-test-options.error.js';
import {
  binaryPath,
  byteSize,
  describeValue,
  flag,
  optionalString,
  optionsObject,
  serverWord,
  timeoutMs,
} from './nats-test-options.validation.js';
import { launchNatsServer } from './nats-server-process.js';
import type { NatsTestServer } from './nats-test-server.js';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /**
   * Enables JetStream, stored under {@link NatsTestServer.storeDir}.
   * @default true
   */
  jetstream?: boolean;
  /**
   * The JetStream domain of the server (`jetstream { domain }`); clients of other domains
   * reach its JetStream API as `$JS.<domain>.API.>`.
   * @default undefined (no domain)
   */
  jetstreamDomain?: string;
  /**
   * One user or a token every client must present. Exclusive with `users` and `accounts`.
   * @default undefined (no authentication)
   */
  auth?: NatsServerAuth;
  /**
   * Users of the server's one (global) account, each with optional permissions, e.g. a user
   * that may call `$JS.API.>` but not subscribe to `$JS.EVENT.>`. Exclusive with `auth` and
   * `accounts`.
   * @default undefined (no authentication)
   */
  users?: readonly NatsServerUser[];
  /**
   * Accounts, each with its users and with or without JetStream. Clients must log in as one of
   * their users. Exclusive with `auth` and `users`.
   * @default undefined (one global account)
   */
  accounts?: NatsServerAccounts;
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
   * How long to wait for the server to accept connections, in milliseconds (> 0, at most 2^31-1).
   * @default 10000
   */
  startTimeoutMs?: number;
  /**
   * Raw nats-server configuration appended to the generated file.
   * @default undefined
   */
  extraConfig?: string;
}

const DEFAULT_START_TIMEOUT_MS = 10_000;
const OPTION_KEYS: readonly (keyof NatsServerOptions)[] = [
  'jetstream',
  'jetstreamDomain',
  'auth',
  'users',
  'accounts',
  'maxFileStore',
  'maxMemoryStore',
  'serverName',
  'binary',
  'startTimeoutMs',
  'extraConfig',
];

/**
 * Starts a nats-server on 127.0.0.1 with a fresh temporary directory. Every listener uses a
 * port the server picks itself, read back once it is up ({@link NatsTestServer.ports}).
 * Dispose it (`afterEach`/`afterAll`) to kill it and remove the directory.
 *
 * @throws {InvalidNatsTestOptionsError} for an options argument that is not a plain object, an
 *   unknown key, a value of the wrong type or range, or conflicting options; before anything starts.
 * @throws {NatsServerBinaryNotFoundError} when no nats-server executable is found.
 * @throws {NatsServerStartError} when the server exits or does not accept connections in time.
 * @example
 * const server = await startNatsServer({ maxFileStore: 64 * 1024 * 1024 });
 * const nc = await connect({ servers: server.url });
 * // ...
 * await nc.close();
 * await server.dispose();
 * @example
 * // A user that may use the JetStream API but not subscribe to its advisories
 * const server = await startNatsServer({
 *   users: [{
 *     user: 'app',
 *     password: 'pw',
 *     permissions: { publish: ['$JS.API.>'], subscribe: { allow: ['>'], deny: ['$JS.EVENT.>'] } },
 *   }],
 * });
 * @example
 * // Two accounts, only one with JetStream
 * const server = await startNatsServer({
 *   accounts: {
 *     APP: { jetstream: true, users: [{ user: 'app', password: 'pw' }] },
 *     PLAIN: { users: [{ user: 'plain', password: 'pw' }] },
 *   },
 * });
 */
export async function startNatsServer(options?: NatsServerOptions): Promise<NatsTestServer> {
  const given = optionsObject('startNatsServer options', options, OPTION_KEYS);
  const jetstream = flag('jetstream', given.jetstream, true);
  validateAuthSettings(given, jetstream);
  validateJetStreamDomain('jetstreamDomain', given.jetstreamDomain, jetstream);
  const config = {
    serverName: serverWord('serverName', given.serverName),
    jetstream,
    jetstreamDomain: given.jetstreamDomain,
    maxFileStore: byteSize('maxFileStore', given.maxFileStore),
    maxMemoryStore: byteSize('maxMemoryStore', given.maxMemoryStore),
    auth: given.auth,
    users: given.users,
    accounts: given.accounts,
    extraConfig: optionalString('extraConfig', given.extraConfig),
  };
  const startTimeoutMs = timeoutMs('startTimeoutMs', given.startTimeoutMs, DEFAULT_START_TIMEOUT_MS);
  return launchNatsServer({ binary: binaryPath(given.binary), startTimeoutMs, config });
}

/** @internal A domain is one subject token: `$JS.<domain>.API.>`. */
export function validateJetStreamDomain(option: string, domain: unknown, jetstream: boolean): void {
  if (domain === undefined) {
    return;
  }
  if (typeof domain !== 'string') {
    throw new InvalidNatsTestOptionsError(option, `must be a string, got ${describeValue(domain)}`);
  }
  if (!jetstream) {
    throw new InvalidNatsTestOptionsError(option, 'needs a server with JetStream enabled');
  }
  if (!/^[A-Za-z0-9_-]+$/.test(domain)) {
    throw new InvalidNatsTestOptionsError(option, `"${domain}" must be letters, digits, "_" or "-" (it becomes a subject token)`);
  }
}

export type { NatsStopSignal, NatsTestServer } from './nats-test-server.js';
