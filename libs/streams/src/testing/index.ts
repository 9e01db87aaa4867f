export { NatsServerBinaryNotFoundError, resolveNatsServerBinary, type NatsServerChannel } from './nats-server-binary.js';
export {
  NatsServerStartError,
  startNatsServer,
  type NatsServerAuth,
  type NatsServerOptions,
  type NatsStopSignal,
  type NatsTestServer,
} from './nats-server.js';
export { startNatsCluster, type NatsClusterOptions, type NatsTestCluster } from './nats-cluster.js';
export { createStreamsTestingModule } from './streams-testing-module.js';
