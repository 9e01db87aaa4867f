import { NestFactory } from '@nestjs/core';
import {
  InvalidArgumentError,
  InvalidStreamConfigError,
  StreamService,
  StreamsModule,
  type BucketDeclaration,
  type ObjectStoreDeclaration,
  type StreamPlan,
} from '../index.js';
import { parseServerAddress } from '../connection/server-address.js';
import type { PlanArgs } from './cli-args.js';
import { loadDeclarations } from './load-declarations.js';

/**
 * Loads the declarations named by `args.module` (a file of declarations, or the app's root module)
 * and asks the server what ensuring them would do: the streams, then each bucket (as its stream
 * `KV_<bucket>`) and each object store (as `OBJ_<bucket>`), in the declared `jetstream` domain or API prefix and with the declared
 * `streamDefaults`. Writes nothing: the plan's own module is started without `streams`,
 * `buckets` or `objectStores`, so start-up ensures none, and the plans only read. With no server named (no
 * `--server`, no `NATS_URL`) the default server is tried once instead of waited for.
 *
 * @throws {DeclarationsModuleError} for an unusable module; the library's errors (e.g.
 * `InvalidOptionsError`, `NatsConnectionError`, `JetStreamUnavailableError`) when the server cannot be asked.
 */
export async function planDeclaredStreams(args: PlanArgs, cwd: string): Promise<StreamPlan[]> {
  const { streams, buckets, objectStores, streamDefaults, jetstream } = await loadDeclarations(
    { file: args.module, rootModule: args.rootModule, connection: args.connection, timeoutMs: args.timeoutMs },
    cwd,
  );
  const app = await NestFactory.createApplicationContext(
    StreamsModule.forRoot({
      connection: { servers: args.servers, name: 'nestjs-jetstream-streams plan' },
      startup: { wait: !args.defaultServer, timeoutMs: args.timeoutMs },
      streamDefaults,
      jetstream,
    }),
    { logger: false, abortOnError: false },
  );
  try {
    const service = app.get(StreamService);
    const streamPlans = await service.planStreams(streams);
    const bucketPlans = await Promise.all(buckets.map((declaration) => planStore(service, declaration, 'bucket')));
    const storePlans = await Promise.all(objectStores.map((declaration) => planStore(service, declaration, 'object store')));
    return [...streamPlans, ...bucketPlans, ...storePlans];
  } finally {
    await app.close();
  }
}

/**
 * The plan of one bucket or object store. A declaration the library refuses (before any request)
 * becomes an `invalid` plan, as in `planStreams`; a failure of the server still rejects.
 */
async function planStore(
  service: StreamService,
  declaration: BucketDeclaration | ObjectStoreDeclaration,
  kind: 'bucket' | 'object store',
): Promise<StreamPlan> {
  const isObject = typeof declaration === 'object' && declaration !== null && !Array.isArray(declaration);
  const { bucket, ...config } = isObject ? declaration : { bucket: undefined };
  try {
    // A declaration that is no object is passed on as the config, for the library's own message.
    const given = isObject ? config : (declaration as never);
    return kind === 'bucket' ? await service.planBucket(bucket as string, given) : await service.planObjectStore(bucket as string, given);
  } catch (err) {
    if (!(err instanceof InvalidStreamConfigError || err instanceof InvalidArgumentError)) throw err;
    const name = kind === 'bucket' ? `KV_${String(bucket)}` : `OBJ_${String(bucket)}`;
    return { name, action: 'invalid', changes: [], conflicts: [], error: err };
  }
}

/** Where the plan was checked, for the report: scheme, host and port of each server, never credentials. */
export function describeServers(servers: readonly string[]): string {
  return servers
    .map((server) => {
      try {
        // The bare address: a URL parser would end the credentials at a `/`, `?` or `#` in a password.
        const { bare } = parseServerAddress(server);
        const url = new URL(bare.includes('://') ? bare : `nats://${bare}`);
        return `${url.protocol}//${url.host}`;
      } catch {
        return '(unparsable server address)';
      }
    })
    .join(', ');
}
