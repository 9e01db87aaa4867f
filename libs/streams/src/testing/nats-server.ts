import {
  validateAuthSettings,
  type NatsServerAccounts,
  type NatsServerAuth,
  type NatsServerUser,
} from './nats-server-auth.js';
import { resolveNatsServerBinary } from './nats-server-binary.js';
import { InvalidNatsTestOptionsError } from './nats-test-options.error.js';
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

const DEFAULT_START_TIMEOUT_MS = 10_000;

/**
 * Starts a nats-server on 127.0.0.1 with a fresh temporary directory. Every listener uses a
 * port the server picks itself, read back once it is up ({@link NatsTestServer.ports}).
 * Dispose it (`afterEach`/`afterAll`) to kill it and remove the directory.
 *
 * @throws {InvalidNatsTestOptionsError} for conflicting options, before anything starts.
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
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsTestServer> {
  const jetstream = options.jetstream ?? true;
  validateAuthSettings(options, jetstream);
  validateJetStreamDomain('jetstreamDomain', options.jetstreamDomain, jetstream);
  return launchNatsServer({
    binary: options.binary ?? resolveNatsServerBinary(),
    startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    config: {
      serverName: options.serverName,
      jetstream,
      jetstreamDomain: options.jetstreamDomain,
      maxFileStore: options.maxFileStore,
      maxMemoryStore: options.maxMemoryStore,
      auth: options.auth,
      users: options.users,
      accounts: options.accounts,
      extraConfig: options.extraConfig,
    },
  });
}

/** @internal A domain is one subject token: `$JS.<domain>.API.>`. */
export function validateJetStreamDomain(option: string, domain: string | undefined, jetstream: boolean): void {
  if (domain === undefined) {
    return;
  }
  if (!jetstream) {
    throw new InvalidNatsTestOptionsError(option, 'needs a server with JetStream enabled');
  }
  if (!/^[A-Za-z0-9_-]+$/.test(domain)) {
    throw new InvalidNatsTestOptionsError(option, `"${domain}" must be letters, digits, "_" or "-" (it becomes a subject token)`);
  }
}

export type { NatsStopSignal, NatsTestServer } from './nats-test-server.js';
