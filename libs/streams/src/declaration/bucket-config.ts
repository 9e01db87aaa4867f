import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import type { BucketDeclaration } from './bucket-declaration.js';
import { bucketTopology } from './bucket-topology.js';
import { isRecord, show } from '../checks/values.js';
import { normalizeStreamConfig, type DesiredStream } from './stream-config.js';
import type { StreamDeclaration } from './stream-declaration.js';
import { storeStream } from './store-stream.js';

/** The `nats` client's rule for bucket names (of key-value buckets and object stores alike). */
export const BUCKET_NAME = /^[-\w]+$/;
/** The most values per key the key-value design allows. */
const MAX_HISTORY = 64;

/** Each bucket field and the stream field it becomes; the policy keys pass as they are. */
const BUCKET_FIELDS: Readonly<Record<string, string>> = {
  description: 'description',
  history: 'max_msgs_per_subject',
  ttl: 'max_age',
  max_bytes: 'max_bytes',
  max_value_size: 'max_msg_size',
  storage: 'storage',
  replicas: 'num_replicas',
  placement: 'placement',
  republish: 'republish',
  compression: 'compression',
  metadata: 'metadata',
  mode: 'mode',
  allowDataLoss: 'allowDataLoss',
  onConflict: 'onConflict',
};
/** The bucket fields laid out by `bucketTopology` rather than copied to one stream field. */
const TOPOLOGY_FIELDS = ['mirror', 'sources'];
/** The other way: a stream field named in an error is given its bucket name. */
const STREAM_TO_BUCKET: ReadonlyMap<string, string> = new Map(Object.entries(BUCKET_FIELDS).map(([bucket, stream]) => [stream, bucket]));

/** The bucket field a stream field is declared as (`history` for `max_msgs_per_subject`), or the stream field itself. */
export function bucketFieldName(streamField: string): string {
  return STREAM_TO_BUCKET.get(streamField) ?? streamField;
}

/** The stream name of a bucket: `KV_<bucket>`. */
export function bucketStreamName(bucket: string): string {
  return `KV_${bucket}`;
}

/** The hidden key by which a stream declaration made by {@link bucketStream} holds its bucket. */
const BUCKET = Symbol('bucket declaration');

/**
 * The stream declaration of a bucket, as the `nats` client lays the bucket out (every field set,
 * so nothing of the module's `streamDefaults` applies): what a list of declared streams holds for
 * a declared bucket. Not checked here: {@link normalizeBucketConfig} checks the bucket when the
 * stream is prepared ({@link declaredBucket} finds the bucket again).
 */
export function bucketStream(declaration: BucketDeclaration): StreamDeclaration {
  const input: unknown = declaration;
  const record = isRecord(input) ? input : {};
  const bucket = typeof record.bucket === 'string' ? record.bucket : String(record.bucket);
  const stream = storeStream(bucketStreamName(bucket), [`$KV.${bucket}.>`], 1, record, BUCKET_FIELDS);
  try {
    Object.assign(stream, bucketTopology(bucket, record.mirror, record.sources));
  } catch {
    // Left out here, refused with its reason when the bucket is normalised (normalizeBucketConfig).
  }
  // Not enumerable: a copy of the stream declaration (a spread) is a plain stream declaration.
  if (isRecord(input)) Object.defineProperty(stream, BUCKET, { value: declaration });
  return stream as unknown as StreamDeclaration;
}

/** The bucket a stream declaration made by {@link bucketStream} stands for; undefined for any other. */
export function declaredBucket(stream: StreamDeclaration): BucketDeclaration | undefined {
  const input: unknown = stream;
  return isRecord(input) ? ((input as { [BUCKET]?: BucketDeclaration })[BUCKET] ?? undefined) : undefined;
}

/**
 * Turns a bucket declaration into the stream the server should hold (see {@link bucketStream}),
 * without touching a server: the bucket's own fields checked (name, `history` 1 to 64,
 * `compression` a boolean, no unknown key), then the stream's checks, whose errors name the
 * bucket's fields (`ttl`, `history`, `replicas`, `max_value_size`). The module's `streamDefaults`
 * never apply. Only own enumerable properties are read.
 *
 * @throws InvalidStreamConfigError naming the stream `KV_<bucket>`, the bucket field and the problem
 * @example
 * normalizeBucketConfig({ bucket: 'sessions', history: 5, ttl: '1h' }).config.max_msgs_per_subject; // 5
 */
export function normalizeBucketConfig(declaration: BucketDeclaration): DesiredStream {
  const input: unknown = declaration;
  if (!isRecord(input))
    throw new InvalidStreamConfigError('(bucket)', 'bucket', `declaration must be an object with a bucket name, got ${show(input)}`);
  const { bucket, history, compression } = input;
  if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket)) {
    throw new InvalidStreamConfigError(
      typeof bucket === 'string' ? bucketStreamName(bucket) : '(bucket)',
      'bucket',
      `must be a name of letters, digits, '-' and '_', got ${show(bucket)}`,
    );
  }
  const name = bucketStreamName(bucket);
  const unknown = Object.keys(input).find(
    (key) => key !== 'bucket' && !Object.hasOwn(BUCKET_FIELDS, key) && !TOPOLOGY_FIELDS.includes(key),
  );
  if (unknown !== undefined) throw new InvalidStreamConfigError(name, unknown, 'is not a bucket config field; check its spelling');
  if (history !== undefined && !(Number.isInteger(history) && (history as number) >= 1 && (history as number) <= MAX_HISTORY)) {
    throw new InvalidStreamConfigError(name, 'history', `must be a whole number from 1 to ${MAX_HISTORY}, got ${show(history)}`);
  }
  if (compression !== undefined && typeof compression !== 'boolean') {
    throw new InvalidStreamConfigError(name, 'compression', `must be true or false, got ${show(compression)}`);
  }
  bucketTopology(bucket, input.mirror, input.sources);
  try {
    return { ...normalizeStreamConfig(bucketStream(declaration), {}), bucket };
  } catch (err) {
    if (!(err instanceof InvalidStreamConfigError)) throw err;
    const field = STREAM_TO_BUCKET.get(err.field) ?? err.field;
    throw new InvalidStreamConfigError(name, field, err.reason, { cause: err });
  }
}
