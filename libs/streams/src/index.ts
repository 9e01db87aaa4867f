export { StreamsModule } from './streams.module.js';
export type { StreamsModuleExtras } from './streams.module-definition.js';
export type {
  HealthOptions,
  JetStreamTarget,
  NatsConnectionOptions,
  ReconcileOptions,
  StartupPolicy,
  StreamsModuleOptions,
} from './streams.options.js';
export {
  getConnectionServiceToken,
  getStreamEventsToken,
  getStreamMonitorToken,
  getStreamServiceToken,
  getStreamsOptionsOverrideToken,
  InjectConnectionService,
  InjectStreamEvents,
  InjectStreamMonitor,
  InjectStreamService,
} from './streams.tokens.js';

export { ConnectionService } from './connection/connection.service.js';
export type { ServerFacts } from './connection/connection.service.js';
export type { ConnectionStatus, ConnectionStatusType } from './connection/connection-status.js';

export { StreamService } from './streams/stream.service.js';
export type { StreamOptionsInput } from './streams/stream.service.js';
export { DEFAULT_STREAM_DEFAULTS, parseDuration, subjectsOverlap } from './streams/stream-config.js';
export type {
  ConflictPolicy,
  Duration,
  StreamConfigInput,
  StreamDeclaration,
  StreamDeclarations,
  StreamPolicy,
} from './streams/stream-declaration.js';
export type { FieldChange } from './streams/stream-diff.js';
export type {
  DeleteBatchResult,
  EnsureAction,
  EnsureBatchResult,
  EnsureResult,
  PlanAction,
  PurgeOptions,
  StreamPlan,
} from './streams/stream-results.js';
export type { ServerStreamConfig, ServerStreamInfo } from './jetstream/api-types.js';

export { StreamMonitor } from './monitoring/stream-monitor.js';
export type { StreamsSnapshot } from './monitoring/stream-monitor.js';
export type { ConsumerHealth, HealthReason, ReplicaHealth, StreamHealth } from './monitoring/stream-health.js';

export { StreamEvents } from './events/stream-events.js';
export type { AdvisoryWatch } from './events/stream-events.js';
export type { FlappingRecord } from './events/repair-guard.js';
export type {
  AdvisoryReplica,
  StreamChangedEvent,
  StreamDriftedEvent,
  StreamEvent,
  StreamEventType,
  StreamFlappingEvent,
  StreamLeaderElectedEvent,
  StreamQuorumLostEvent,
  StreamRepairedEvent,
  StreamRepairFailedEvent,
} from './events/stream-event.js';

export { NatsHealthIndicator } from './health/nats.health.js';
export type { NatsHealthCheckOptions } from './health/nats.health.js';
export { StreamsHealthIndicator } from './health/streams.health.js';
export type { StreamsHealthCheckOptions } from './health/streams.health.js';
export type { HealthDetails, StreamSummary } from './health/health-details.js';

export { StreamsError } from './errors/streams.error.js';
export { NatsConnectionError } from './errors/nats-connection.error.js';
export { JetStreamUnavailableError } from './errors/jetstream-unavailable.error.js';
export { JetStreamApiError } from './errors/jetstream-api.error.js';
export { StreamNotFoundError } from './errors/stream-not-found.error.js';
export { InvalidStreamConfigError } from './errors/invalid-stream-config.error.js';
export { InvalidArgumentError } from './errors/invalid-argument.error.js';
export { InvalidOptionsError } from './errors/invalid-options.error.js';
export { StreamConfigConflictError } from './errors/stream-config-conflict.error.js';
export type { FieldConflict } from './errors/stream-config-conflict.error.js';
export { StreamBatchError } from './errors/stream-batch.error.js';
export type { BatchItemResult } from './errors/stream-batch.error.js';
export { StreamCapacityError } from './errors/stream-capacity.error.js';
export { StreamPlacementError } from './errors/stream-placement.error.js';
export { StreamMigrationError } from './errors/stream-migration.error.js';
