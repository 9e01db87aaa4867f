import type { ServerFacts } from '../connection/connection.service.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import { unsupportedFields } from '../declaration/stream-diff.js';
import { consumerSupportProblem } from '../declaration/consumer-diff.js';

/**
 * The checks that need to know the server but no request: fields newer than its version (it
 * would silently ignore them) and replicas on a server that is not clustered, for the stream and
 * each of its declared consumers.
 * @throws InvalidStreamConfigError naming the field
 */
export function checkServerSupport(desired: DesiredStream, { version, clustered }: ServerFacts): DesiredStream {
  const unsupported = unsupportedFields(desired.config, version);
  if (unsupported.length) {
    const u = unsupported[0];
    throw new InvalidStreamConfigError(desired.name, u.field, `needs nats-server ${u.minVersion} or newer; the server is ${version}`);
  }
  if (desired.config.num_replicas > 1 && !clustered) {
    throw new InvalidStreamConfigError(
      desired.name,
      'num_replicas',
      `is ${desired.config.num_replicas}, but the server is not part of a JetStream cluster; use 1`,
    );
  }
  for (const consumer of desired.consumers ?? []) {
    const problem = consumerSupportProblem(consumer.config, version, clustered);
    if (problem) throw new InvalidStreamConfigError(desired.name, `consumers.${consumer.name}.${problem[0]}`, problem[1]);
  }
  return desired;
}
