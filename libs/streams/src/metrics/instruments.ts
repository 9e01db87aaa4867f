/**
 * The library's OpenTelemetry instruments, in one table: name, kind, unit and what each measures.
 * The README's metrics section lists the same table; names and units follow the semantic
 * conventions' style (dotted lower-case names, UCUM units, `{thing}` for counts).
 */
export const INSTRUMENTS = {
  streamMessages: {
    name: 'nats.jetstream.stream.messages',
    kind: 'gauge',
    unit: '{message}',
    description: 'Messages stored in the stream.',
  },
  streamBytes: { name: 'nats.jetstream.stream.bytes', kind: 'gauge', unit: 'By', description: 'Bytes stored in the stream.' },
  streamUsage: {
    name: 'nats.jetstream.stream.limit.usage',
    kind: 'gauge',
    unit: '1',
    description: 'Fraction of a configured limit (max_msgs, max_bytes) in use; 1 is full.',
  },
  streamConsumers: { name: 'nats.jetstream.stream.consumers', kind: 'gauge', unit: '{consumer}', description: 'Consumers of the stream.' },
  streamReplicas: {
    name: 'nats.jetstream.stream.replicas',
    kind: 'gauge',
    unit: '{replica}',
    description: 'Replicas of a clustered stream by state (the leader counts as current).',
  },
  streamUp: { name: 'nats.jetstream.stream.up', kind: 'gauge', unit: '1', description: '1 when the stream is healthy, 0 when not.' },
  streamStatus: {
    name: 'nats.jetstream.stream.status',
    kind: 'gauge',
    unit: '1',
    description: "The stream's state and reason: 1 for the current pair, 0 for pairs it had before.",
  },
  consumerPending: {
    name: 'nats.jetstream.consumer.pending',
    kind: 'gauge',
    unit: '{message}',
    description: 'Messages of a declared consumer not yet delivered.',
  },
  consumerAckPending: {
    name: 'nats.jetstream.consumer.ack_pending',
    kind: 'gauge',
    unit: '{message}',
    description: 'Messages of a declared consumer delivered and not yet acknowledged.',
  },
  consumerRedelivered: {
    name: 'nats.jetstream.consumer.redelivered',
    kind: 'gauge',
    unit: '{message}',
    description: 'Messages of a declared consumer delivered more than once.',
  },
  connectionStatus: {
    name: 'nats.connection.status',
    kind: 'gauge',
    unit: '1',
    description: "The connection's state: 1 for the current one, 0 for the others.",
  },
  connectionRtt: {
    name: 'nats.connection.rtt',
    kind: 'gauge',
    unit: 's',
    description: 'Round-trip time to the server (a PING), at collection.',
  },
  connectionReconnects: {
    name: 'nats.connection.reconnects',
    kind: 'observable counter',
    unit: '{reconnect}',
    description: 'Reconnections since the connection opened.',
  },
  reconciliations: {
    name: 'nats.jetstream.stream.reconciliations',
    kind: 'counter',
    unit: '{reconciliation}',
    description: 'Streams reconciled with their declaration, by outcome.',
  },
  apiDuration: {
    name: 'nats.jetstream.api.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of JetStream API requests (each attempt of a retried one).',
  },
} as const;

/** The attribute keys the instruments carry. */
export const ATTR = {
  /** The connection's name in the app: `default`, or `forRoot({ name })`. */
  connection: 'nats.connection.name',
  stream: 'nats.jetstream.stream.name',
  consumer: 'nats.jetstream.consumer.name',
  /** `messages` or `bytes`. */
  limit: 'nats.jetstream.limit',
  /** `current`, `lagging` or `offline`. */
  replicaState: 'nats.jetstream.replica.state',
  /** `up`, `degraded` or `down`. */
  streamState: 'nats.jetstream.stream.state',
  /** A `HealthReason`, or `none`. */
  streamReason: 'nats.jetstream.stream.reason',
  /** A `ConnectionStatusType`. */
  connectionState: 'nats.connection.state',
  /** What the reconciliation did: `created`, `updated`, `unchanged`, ..., `conflict`, `failed`. */
  outcome: 'nats.jetstream.reconciliation.outcome',
  /** The library operation: `ensureStream`, `ensureStreams`. */
  operation: 'nats.jetstream.operation',
  /** The API request kind: `STREAM.INFO`, `STREAM.LIST`, `STREAM.UPDATE`, ... */
  request: 'nats.jetstream.api.request',
  /** The server's `err_code` or the client's error code, on failure (semantic conventions' `error.type`). */
  error: 'error.type',
} as const;

/** Bucket boundaries (seconds) of the API duration histogram: 0.5 ms to 10 s. */
export const API_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The name of the meter the library's instruments belong to. */
export const METER_NAME = 'nestjs-jetstream-streams';
