import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { BUCKET_NAME, bucketFieldName } from './bucket-config.js';
import type { ObjectStoreDeclaration } from './object-store-declaration.js';
import { isRecord, show } from '../checks/values.js';
import { normalizeStreamConfig, type DesiredStream } from './stream-config.js';
import type { StreamDeclaration } from './stream-declaration.js';
import { storeStream } from './store-stream.js';

/** Each object store field and the stream field it becomes; the policy keys pass as they are. */
const OBJECT_STORE_FIELDS: Readonly<Record<string, string>> = {
  description: 'description',
  ttl: 'max_age',
  max_bytes: 'max_bytes',
  storage: 'storage',
  replicas: 'num_replicas',
  placement: 'placement',
  compression: 'compression',
  metadata: 'metadata',
  mode: 'mode',
  allowDataLoss: 'allowDataLoss',
  onConflict: 'onConflict',
};

/** The stream name of an object store: `OBJ_<bucket>`. */
export function objectStoreStreamName(bucket: string): string {
  return `OBJ_${bucket}`;
}

/** The hidden key by which a stream declaration made by {@link objectStoreStream} holds its store. */
const OBJECT_STORE = Symbol('object store declaration');

/**
 * The stream declaration of an object store, as the `nats` client's `views.os()` lays it out
 * (every field set, so nothing of the module's `streamDefaults` applies): what a list of declared
 * streams holds for a declared store. The client leaves the limits it does not name to the
 * server's defaults (unlimited), which are written out here. Not checked here:
 * {@link normalizeObjectStoreConfig} checks the store when the stream is prepared.
 */
export function objectStoreStream(declaration: ObjectStoreDeclaration): StreamDeclaration {
  const input: unknown = declaration;
  const record = isRecord(input) ? input : {};
  const bucket = typeof record.bucket === 'string' ? record.bucket : String(record.bucket);
  const stream = storeStream(objectStoreStreamName(bucket), [`$O.${bucket}.C.>`, `$O.${bucket}.M.>`], -1, record, OBJECT_STORE_FIELDS);
  // Not enumerable: a copy of the stream declaration (a spread) is a plain stream declaration.
  if (isRecord(input)) Object.defineProperty(stream, OBJECT_STORE, { value: declaration });
  return stream as unknown as StreamDeclaration;
}

/** The object store a stream declaration made by {@link objectStoreStream} stands for; undefined for any other. */
export function declaredObjectStore(stream: StreamDeclaration): ObjectStoreDeclaration | undefined {
  const input: unknown = stream;
  return isRecord(input) ? ((input as { [OBJECT_STORE]?: ObjectStoreDeclaration })[OBJECT_STORE] ?? undefined) : undefined;
}

/**
 * Turns an object store declaration into the stream the server should hold (see
 * {@link objectStoreStream}), without touching a server: the store's own fields checked (name,
 * `compression` a boolean, no unknown key), then the stream's checks, whose errors name the
 * store's fields (`ttl`, `replicas`). The result carries the bucket name, so a refused loss is
 * told in the declaration's words. The module's `streamDefaults` never apply.
 *
 * @throws InvalidStreamConfigError naming the stream `OBJ_<bucket>`, the store's field and the problem
 * @example
 * normalizeObjectStoreConfig({ bucket: 'invoices', ttl: '30d' }).config.subjects; // ['$O.invoices.C.>', '$O.invoices.M.>']
 */
export function normalizeObjectStoreConfig(declaration: ObjectStoreDeclaration): DesiredStream {
  const input: unknown = declaration;
  if (!isRecord(input)) {
    throw new InvalidStreamConfigError('(object store)', 'bucket', `declaration must be an object with a bucket name, got ${show(input)}`);
  }
  const { bucket, compression } = input;
  if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket)) {
    throw new InvalidStreamConfigError(
      typeof bucket === 'string' ? objectStoreStreamName(bucket) : '(object store)',
      'bucket',
      `must be a name of letters, digits, '-' and '_', got ${show(bucket)}`,
    );
  }
  const name = objectStoreStreamName(bucket);
  const unknown = Object.keys(input).find((key) => key !== 'bucket' && !Object.hasOwn(OBJECT_STORE_FIELDS, key));
  if (unknown !== undefined) throw new InvalidStreamConfigError(name, unknown, 'is not an object store config field; check its spelling');
  if (compression !== undefined && typeof compression !== 'boolean') {
    throw new InvalidStreamConfigError(name, 'compression', `must be true or false, got ${show(compression)}`);
  }
  try {
    return { ...normalizeStreamConfig(objectStoreStream(declaration), {}), bucket };
  } catch (err) {
    if (!(err instanceof InvalidStreamConfigError)) throw err;
    throw new InvalidStreamConfigError(name, bucketFieldName(err.field), err.reason, { cause: err });
  }
}
