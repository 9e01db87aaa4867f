// The package's root entry: the module, its services and tokens, the declaration and result types,
// and the errors. The optional features are entry points of their own, so that an app loads only
// what it uses: `nestjs-jetstream-streams/health` (Terminus indicators), `/dashboard`, `/testing`.
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
export type { BucketOptionsInput, ObjectStoreOptionsInput, StreamOptionsInput } from './streams/stream.service.js';
export type { FeatureDeclarations } from './streams/declared-streams.js';
export { DEFAULT_STREAM_DEFAULTS } from './declaration/stream-fields.js';
export type { Duration } from './declaration/duration.js';
export { parseDuration } from './declaration/stream-fields.js';
export { subjectsOverlap } from './declaration/subjects.js';
export type {
  ConflictPolicy,
  DownstreamPolicy,
  StreamConfigInput,
  StreamConsumers,
  StreamDeclaration,
  StreamDeclarations,
  StreamMode,
  StreamPolicy,
  StreamSourceInput,
} from './declaration/stream-declaration.js';
export type { ConsumerDeclaration } from './declaration/consumer-declaration.js';
export type { BucketConfigInput, BucketDeclaration } from './declaration/bucket-declaration.js';
export type { BucketOrigin, BucketTopologyInput } from './declaration/bucket-topology.js';
export type { ObjectStoreConfigInput, ObjectStoreDeclaration } from './declaration/object-store-declaration.js';
export type { FieldChange } from './declaration/stream-diff.js';
export type {
  DeleteBatchResult,
  ConsumerEnsureAction,
  ConsumerEnsureResult,
  ConsumerPlan,
  ConsumerPlanAction,
  EnsureAction,
  EnsureBatchResult,
  EnsureResult,
  PlanAction,
  PurgeOptions,
  RemovedMessages,
  StreamPlan,
} from './reconcile/stream-results.js';
export type { ServerStreamConfig, ServerStreamInfo, StreamState } from './server/server-stream.js';
export type { ServerConsumerConfig, ServerConsumerInfo } from './server/server-consumer.js';

export { StreamMonitor } from './monitoring/stream-monitor.js';
export type { StreamsSnapshot } from './monitoring/stream-monitor.js';
export type { HealthReason, ReplicaHealth, StreamHealth } from './monitoring/stream-health.js';
export type { ConsumerHealth } from './monitoring/consumer-health.js';

export { StreamEvents } from './events/stream-events.js';
export type { AdvisoryWatch } from './events/stream-events.js';
export type { FlappingRecord } from './events/repair-guard.js';
export type { AdvisoryReplica } from './jetstream/stream-advisories.js';
export type {
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

export { StreamsError } from './errors/streams.error.js';
export { NatsConnectionError } from './errors/nats-connection.error.js';
export { NatsNotConnectedError } from './errors/nats-not-connected.error.js';
export { StreamsStartupError } from './errors/streams-startup.error.js';
export { JetStreamUnavailableError } from './errors/jetstream-unavailable.error.js';
export { JetStreamApiError } from './errors/jetstream-api.error.js';
export { StreamNotFoundError } from './errors/stream-not-found.error.js';
export { StreamOfflineError } from './errors/stream-offline.error.js';
export { ApiLevelError } from './errors/api-level.error.js';
export { InvalidStreamConfigError } from './errors/invalid-stream-config.error.js';
export { InvalidArgumentError } from './errors/invalid-argument.error.js';
export { InvalidOptionsError } from './errors/invalid-options.error.js';
export { StreamConfigConflictError } from './errors/stream-config-conflict.error.js';
export { ConsumerConfigConflictError } from './errors/consumer-config-conflict.error.js';
export { ConsumerDriftError } from './errors/consumer-drift.error.js';
export type { FieldConflict } from './errors/stream-config-conflict.error.js';
export { StreamBatchError } from './errors/stream-batch.error.js';
export type { BatchItemResult } from './errors/stream-batch.error.js';
export { StreamCapacityError } from './errors/stream-capacity.error.js';
export { StreamPlacementError } from './errors/stream-placement.error.js';
export { StreamMigrationError } from './errors/stream-migration.error.js';
export { MigrationPermissionError } from './errors/migration-permission.error.js';
export { StreamDataLossError } from './errors/stream-data-loss.error.js';
export type { DataLossEstimate, DataLossField, DataLossKind, DefaultedChange } from './errors/stream-data-loss.error.js';
export { StreamDriftError } from './errors/stream-drift.error.js';
export type { DriftedField } from './errors/stream-drift.error.js';
