import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { BUCKET_NAME, bucketFieldName } from './bucket-config.js';
import type { ObjectStoreDeclaration } from './object-store-declaration.js';
import { isRecord, show } from './show-value.js';
import { normalizeStreamConfig, type DesiredStream } from './stream-config.js';
import type { StreamDeclaration } from './stream-declaration.js';

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

/** The stream declarations that stand for a declared object store, and the store each stands for. */
const standIns = new WeakMap<StreamDeclaration, ObjectStoreDeclaration>();

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
  const stream: Record<string, unknown> = {
    name: objectStoreStreamName(bucket),
    subjects: [`$O.${bucket}.C.>`, `$O.${bucket}.M.>`],
    retention: 'limits',
    storage: 'file',
    num_replicas: 1,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: -1,
    max_msg_size: -1,
    discard: 'new',
    allow_rollup_hdrs: true,
    allow_direct: true,
  };
  for (const key of Object.keys(record)) {
    const field = OBJECT_STORE_FIELDS[key];
    const value = record[key];
    if (field === undefined || value === undefined) continue;
    stream[field] = field === 'compression' && typeof value === 'boolean' ? (value ? 's2' : 'none') : value;
  }
  const result = stream as unknown as StreamDeclaration;
  if (isRecord(input)) standIns.set(result, declaration);
  return result;
}

/** The object store a stream declaration made by {@link objectStoreStream} stands for; undefined for any other. */
export function declaredObjectStore(stream: StreamDeclaration): ObjectStoreDeclaration | undefined {
  return standIns.get(stream);
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
