import { StreamsError } from './streams.error.js';

/**
 * The server that handled a create or update is below the JetStream API level a declared field
 * needs (it answered 10185 to the `Nats-Required-Api-Level` header; nats-server 2.12+ check it):
 * nothing was written. This happens in a cluster mid-upgrade, where the connected server knows the
 * field but the meta leader or the stream's leader runs an older version that would have dropped it
 * silently. Finish the upgrade, or leave the field out.
 */
export class ApiLevelError extends StreamsError {
  constructor(
    /** The library operation, e.g. `ensureStream`. */
    readonly operation: string,
    /** The stream concerned. */
    readonly stream: string | undefined,
    /** The field that needs the level, e.g. `allow_batched` (a consumer's as `consumers.<name>.<field>`). */
    readonly field: string,
    /** The JetStream API level the field needs, e.g. 4. */
    readonly level: number,
    /** The first nats-server version that knows the field, e.g. `2.14.0`. */
    readonly since: string,
    options: { cause?: unknown; errCode?: number } = {},
  ) {
    super(
      `${operation}${stream ? ` "${stream}"` : ''} refused by the server: ${field} needs JetStream API level ${level} ` +
        `(nats-server ${since} or newer) and the server that handled the request is below it; nothing was written. ` +
        'A server of the cluster (its meta leader or the stream leader) runs an older version that would drop the field: finish the upgrade, or leave the field out',
      options,
    );
  }
}
