export { NatsServerBinaryNotFoundError, resolveNatsServerBinary, type NatsServerChannel } from './nats-server-binary.js';
export { startNatsServer, type NatsServerOptions, type NatsStopSignal, type NatsTestServer } from './nats-server.js';
export type {
  NatsAccountJetStreamLimits,
  NatsServerAccount,
  NatsServerAccounts,
  NatsServerAuth,
  NatsServerUser,
  NatsSubjectPermission,
  NatsUserPermissions,
} from './nats-server-auth.js';
export type { NatsServerPorts } from './nats-server-ports.js';
export { NatsServerStartError } from './nats-server-start.error.js';
export { InvalidNatsTestOptionsError } from './nats-test-options.error.js';
export { startNatsCluster, type NatsClusterOptions, type NatsTestCluster } from './nats-cluster.js';
export { startNatsLeafTopology, type NatsLeafTopology, type NatsLeafTopologyOptions } from './nats-leaf-topology.js';
export { createStreamsTestingModule, overrideStreamsConnection, type NatsTestTarget } from './streams-testing-module.js';
