import type { ConnectionOptions } from 'nats';
import type { BucketDeclaration } from './declaration/bucket-declaration.js';
import type { ObjectStoreDeclaration } from './declaration/object-store-declaration.js';
import type { StreamConfigInput, StreamDeclaration } from './declaration/stream-declaration.js';

/**
 * How to reach NATS: every `nats` client connection option (name, user/pass, token,
 * authenticator for nkeys or creds, tls, reconnect settings, ...) with `servers` required.
 * Credentials in a server URL (`nats://user:pass@host:4222`, or `nats://token@host:4222`) are used
 * and never printed.
 */
export interface NatsConnectionOptions extends Omit<ConnectionOptions, 'servers' | 'port' | 'waitOnFirstConnect'> {
  /** One server URL or several, e.g. `'nats://127.0.0.1:4222'`. */
  servers: string | string[];
  /**
   * Reconnect attempts after a connection is lost; -1 retries forever (the client's own default
   * of 10 would close the connection for good after a short outage).
   * @default -1
   */
  maxReconnectAttempts?: number;
  /** Wait between reconnect attempts to the same server, in ms. @default 1000 */
  reconnectTimeWait?: number;
}

/**
 * How long start-up may take, in two bounds that add up: connecting (`timeoutMs`), then ensuring
 * the declared streams and buckets (`streamsTimeoutMs`). A start-up that fails closes what it
 * opened (also a failing second connection's start-up closes the app's other connections), and
 * `app.close()` during start-up stops it (no connect, no ensure after the close).
 */
export interface StartupPolicy {
  /**
   * Keep retrying until `timeoutMs` has passed (`true`), or fail after the first attempt (`false`).
   * @default true
   */
  wait?: boolean;
  /**
   * The longest start-up waits for a server to connect to, in ms; then it fails with
   * `NatsConnectionError` naming the servers and the time waited.
   * @default 10000
   */
  timeoutMs?: number;
  /** Pause between attempts while waiting, in ms. @default 500 */
  retryIntervalMs?: number;
  /**
   * The longest start-up takes, once connected, to ensure every declared stream and bucket (in
   * all, not per stream), in ms. Within it each request waits out transient answers and
   * reconnects (a server frozen or restarted for a while), instead of `operationTimeoutMs`; when
   * it passes nothing more is sent and start-up fails (`onStartupError: 'fail'`). A migration at
   * start-up counts: raise it for large ones. Start-up as a whole thus takes at most `timeoutMs`
   * + `streamsTimeoutMs`, and about 1 s more to close what it opened when it fails.
   * @default 60000
   */
  streamsTimeoutMs?: number;
}

/** Thresholds and policies of the health indicators and `healthCheck`. */
export interface HealthOptions {
  /**
   * Usage of a configured limit (messages, bytes) at or above this fraction is reported: as a
   * problem (down) for a `discard: 'new'` stream, which then refuses publishes, and as a warning
   * for a `discard: 'old'` one, which drops its oldest messages by design.
   * @default 0.9
   */
  usageThreshold?: number;
  /**
   * Whether a clustered stream with a replica offline or lagging (but a leader) counts as up
   * (`'up'`, reported as degraded) or down.
   * @default 'up'
   */
  degradedReplicas?: 'up' | 'down';
  /** Timeout of the NATS round-trip check, in ms. @default 2000 */
  rttTimeoutMs?: number;
  /**
   * How long the streams indicator waits for a stream list it needs (the latest is older than
   * `monitorIntervalMs`), in ms. After it, the check answers from the latest snapshot while that
   * is younger than twice `monitorIntervalMs`, else down saying that the server has not answered;
   * the list goes on and serves later checks. Without it a frozen server would hold each `/health`
   * for `operationTimeoutMs`.
   * @default 2000
   */
  timeoutMs?: number;
  /**
   * How a declared stream that drifted from its declaration is reported: `'down'` makes it
   * unhealthy; `'warn'` keeps it up with the drift as a warning (for teams whose streams are
   * changed by hand during incidents).
   * @default 'down'
   */
  drift?: 'down' | 'warn';
  /**
   * What the streams indicator puts in `/health`: `'compact'` counts the streams that are up and
   * details only those with a problem or a warning (a few hundred bytes at 1000 streams);
   * `'full'` details every stream.
   * @default 'compact'
   */
  details?: 'compact' | 'full';
  /**
   * A declared consumer with at least this many messages not yet delivered to it (`num_pending`,
   * its lag) is reported as a problem (its stream goes down, reason `consumer-lag`). 0 turns the
   * check off; the lag is still reported.
   * @default 0
   */
  consumerLag?: number;
  /**
   * A declared consumer with at least this many messages delivered and not yet acknowledged
   * (`num_ack_pending`) is reported as a problem (reason `consumer-ack-pending`). 0 turns the check
   * off. Compare with the consumer's `max_ack_pending` (1000 by default), where delivery stops.
   * @default 0
   */
  consumerAckPending?: number;
}

/** Options of `StreamsModule.forRoot()` / `forRootAsync()`. */
export interface StreamsModuleOptions {
  /** The NATS connection. */
  connection: NatsConnectionOptions;
  /** Start-up bounds. @default { wait: true, timeoutMs: 10000, retryIntervalMs: 500, streamsTimeoutMs: 60000 } */
  startup?: StartupPolicy;
  /** Longest wait for the connection to drain at shutdown before it is closed, in ms. @default 5000 */
  drainTimeoutMs?: number;
  /** Timeout of one JetStream API request, in ms. @default 5000 */
  requestTimeoutMs?: number;
  /**
   * Longest time one stream operation may take, transient cluster answers (no leader yet,
   * temporarily unavailable, timeouts while a node restarts) retried with backoff within it, in ms.
   * @default 15000
   */
  operationTimeoutMs?: number;
  /** Stream writes `ensureStreams` and `deleteStreams` keep in flight at once. @default 8 */
  concurrency?: number;
  /** Streams to ensure during start-up (more can be declared with `StreamsModule.forFeature`). @default [] */
  streams?: StreamDeclaration[];
  /**
   * Key-value buckets to ensure during start-up, each the stream `KV_<bucket>` laid out as the
   * `nats` client's `views.kv()` makes it (more can be declared with `StreamsModule.forFeature`).
   * @default []
   */
  buckets?: BucketDeclaration[];
  /**
   * Object stores to ensure during start-up, each the stream `OBJ_<bucket>` laid out as the
   * `nats` client's `views.os()` makes it (more can be declared with `StreamsModule.forFeature`).
   * @default []
   */
  objectStores?: ObjectStoreDeclaration[];
  /**
   * Config applied to every stream before its own declared fields. Starts from: retention
   * `limits`, max_msgs 1,000,000, max_msgs_per_subject 100,000, max_age `'1h'`, storage `file`,
   * 1 replica.
   */
  streamDefaults?: StreamConfigInput;
  /**
   * When ensuring the declared streams fails at start-up: `'fail'` stops start-up with the
   * `StreamBatchError`; `'warn'` logs it and starts anyway.
   * @default 'fail'
   */
  onStartupError?: 'fail' | 'warn';
  /** How long `getStreamInfo` results are cached, in ms (0 disables the cache). @default 300000 */
  cacheTtlMs?: number;
  /** Polling interval of `StreamMonitor.snapshots()` and of the health snapshot, in ms. @default 5000 */
  monitorIntervalMs?: number;
  /**
   * At most this many streams have their consumers read (one `CONSUMER.LIST` each, the server has
   * nothing cheaper) per monitor tick; the others keep their latest read, whose time each health
   * record gives (`consumersReadAt`). Streams whose consumers were never read, failed to be read,
   * or whose consumer count changed go first, then the oldest reads: every stream's consumers are
   * read at least once every `ceil(streams declaring consumers / consumerReadsPerTick)` ticks
   * (twice that while other streams' consumer counts keep changing).
   * 0 reads every stream's consumers on every tick.
   * @default 0
   * @example consumerReadsPerTick: 100 // 1,000 streams with consumers: each read every 10 ticks
   */
  consumerReadsPerTick?: number;
  /** Health indicator settings. */
  health?: HealthOptions;
  /** Which JetStream the streams live in, when it is not the connected server's own. */
  jetstream?: JetStreamTarget;
  /** What happens when a declared stream is changed or deleted elsewhere (seen through the server's advisories). */
  reconcile?: ReconcileOptions;
  /**
   * Fleet mode: the instances of one group (replicas of one app on this connection) elect one
   * leader through the library's key-value bucket; only the leader reads the streams and repairs
   * drift, every other instance takes the leader's snapshots. Off when not given.
   * @example fleet: { group: 'orders-api' }
   */
  fleet?: FleetOptions;
}

/**
 * One monitor per group of replicas. The leader holds a lease (a record in the library's
 * key-value bucket, renewed with compare-and-set on its revision every `leaseMs / 3`); it runs the
 * monitor loop and the drift repairs and publishes each snapshot in the bucket; the others read
 * no streams themselves and answer health, metrics, the dashboard and `snapshots()` from the
 * latest published snapshot, saying its age.
 */
export interface FleetOptions {
  /**
   * The group's name, the same in every replica of one app (letters, digits, `-` and `_`, up to
   * 64). Two apps that declare the same stream must use two groups.
   */
  group: string;
  /**
   * How long a leader that stopped renewing keeps the lead, in ms: another instance takes over
   * within `leaseMs` plus one renewal (`leaseMs / 3`) after the leader's last renewal. A leader
   * that could not renew for `leaseMs` minus one renewal steps down by itself.
   * @default 15000
   */
  leaseMs?: number;
  /**
   * Past this age (in ms) a follower's snapshot makes the streams indicator down with the reason
   * (the leader is gone or cannot publish), never silently up.
   * @default leaseMs + 2 × monitorIntervalMs
   */
  staleAfterMs?: number;
}

/**
 * What the library does when the server announces that a declared stream was changed or deleted
 * out of band (by another app, an operator, the `nats` CLI). Either way the change is an event on
 * `StreamEvents.events$` and the stream's health shows the drift.
 */
export interface ReconcileOptions {
  /**
   * `'report'`: report the drift and leave the stream as it is. `'repair'`: ensure the stream
   * again, as start-up does (every rule of its declaration applies: conflicts, `onConflict`,
   * data-loss refusals), so a deleted stream is recreated and a changed one set back.
   * @default 'report'
   */
  onDrift?: 'report' | 'repair';
  /**
   * Repairs of one stream allowed within `repairWindowMs`. A stream that needs one more is
   * flapping (most likely two apps declare it differently): its repairs stop until the app
   * restarts, and its health and events say `flapping`.
   * @default 3
   */
  maxRepairs?: number;
  /** The window `maxRepairs` counts in, in ms. @default 60000 */
  repairWindowMs?: number;
}

/**
 * The JetStream every call of a connection uses: a JetStream domain (e.g. the hub's, from an app
 * connected to a leaf node) or an explicit API prefix. At most one of the two.
 */
export interface JetStreamTarget {
  /** The JetStream domain: requests go to `$JS.<domain>.API`. */
  domain?: string;
  /** An explicit API prefix (imports across accounts), e.g. `'$JS.hub.API'`. */
  apiPrefix?: string;
}

/** The options with every default applied; what the services read. */
export interface ResolvedStreamsOptions extends Required<
  Omit<StreamsModuleOptions, 'startup' | 'health' | 'streamDefaults' | 'connection' | 'jetstream' | 'reconcile' | 'fleet'>
> {
  /** The connection's name (`'default'` unless `forRoot({ name })` set one). */
  name: string;
  connection: NatsConnectionOptions;
  startup: Required<StartupPolicy>;
  health: Required<HealthOptions>;
  streamDefaults: StreamConfigInput;
  reconcile: Required<ReconcileOptions>;
  /** Fleet mode with its defaults applied, or null when it is off. */
  fleet: Required<FleetOptions> | null;
  /** The JetStream API prefix every request uses, e.g. `'$JS.API'` or `'$JS.hub.API'`. */
  apiPrefix: string;
  /** The JetStream domain, when one was given. */
  domain?: string;
}
