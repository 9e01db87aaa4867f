import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import type { ServerVersion } from '../server/server-version.js';
import type { ServerStreamSource } from '../server/server-stream.js';
import { BUCKET_NAME } from './bucket-config.js';
import { isRecord, show } from '../checks/values.js';

/**
 * Another key-value bucket a bucket mirrors or sources, in the `nats` client's terms
 * (`views.kv(name, { mirror })` / `{ sources }`): by its bucket name, in this JetStream or in
 * another domain or account.
 *
 * @example
 * { bucket: 'sessions', domain: 'hub' } // the bucket `sessions` of the hub's JetStream domain, seen from a leaf node
 */
export interface BucketOrigin {
  /** The other bucket's name (its stream is `KV_<bucket>`). */
  bucket: string;
  /** The other bucket's JetStream domain: the API prefix `$JS.<domain>.API`. Not with `external`. */
  domain?: string;
  /** The other bucket's JetStream API prefix (another account), as the server takes it. Not with `domain`. */
  external?: { api: string; deliver?: string };
}

/** The fields of a bucket declaration that make it a mirror or a merge of other buckets. */
export interface BucketTopologyInput {
  /**
   * The bucket this one is a read replica of (the stream's `mirror`, with `mirror_direct` so the
   * replica answers direct gets for its origin): it captures no subjects, takes no writes of its
   * own, and cannot be changed to mirror another bucket later. Not with `sources`.
   */
  mirror?: BucketOrigin;
  /**
   * Buckets whose keys this one also receives (the stream's `sources`). A source in this
   * JetStream under another name has its subjects rewritten to this bucket's (needs nats-server
   * 2.10+), as the client does; one in another domain or account keeps its own subjects, as the
   * client does. Not with `mirror`.
   */
  sources?: BucketOrigin[];
}

const ORIGIN_KEYS: ReadonlySet<string> = new Set(['bucket', 'domain', 'external']);

/**
 * The stream fields of a bucket's `mirror` or `sources`, laid out as the `nats` client lays them
 * out: origins named `KV_<bucket>`, a domain as its API prefix with the empty `deliver` the server
 * answers with, and a local source of another name given a transform onto this bucket's subjects.
 * A mirror captures no subjects. Checked: each origin's keys and names, not both kinds.
 *
 * @throws InvalidStreamConfigError naming the stream `KV_<bucket>` and the field
 */
export function bucketTopology(bucket: string, mirror: unknown, sources: unknown): Record<string, unknown> {
  const stream = `KV_${bucket}`;
  if (mirror !== undefined && sources !== undefined)
    throw new InvalidStreamConfigError(stream, 'mirror', 'cannot be combined with sources');
  if (mirror !== undefined) {
    const origin = checkOrigin(mirror, 'mirror', stream);
    if (origin.bucket === bucket && origin.domain === undefined && origin.external === undefined) {
      throw new InvalidStreamConfigError(stream, 'mirror', `cannot be the bucket itself ('${bucket}')`);
    }
    return { subjects: [], mirror: originSource(origin), mirror_direct: true };
  }
  if (sources === undefined) return {};
  if (!Array.isArray(sources) || sources.length === 0) {
    throw new InvalidStreamConfigError(
      stream,
      'sources',
      `must be a non-empty array of buckets such as [{ bucket: 'eu' }], got ${show(sources)}`,
    );
  }
  return {
    sources: sources.map((source: unknown, i) => {
      const origin = checkOrigin(source, `sources[${i}]`, stream);
      const local = origin.domain === undefined && origin.external === undefined;
      const layout = originSource(origin);
      // The client rewrites a local source's subjects onto this bucket's, so its keys read as ours.
      if (local && origin.bucket !== bucket) layout.subject_transforms = [{ src: `$KV.${origin.bucket}.>`, dest: `$KV.${bucket}.>` }];
      return layout;
    }),
  };
}

/**
 * Why the server cannot hold the bucket's sources as declared: a subject transform (a local
 * source of another name) needs nats-server 2.10, and an older server would drop it silently.
 */
export function bucketTopologyProblem(sources: readonly ServerStreamSource[] | undefined, version: ServerVersion): string | undefined {
  if (version.atLeast('2.10.0') || !sources?.some((s) => s.subject_transforms?.length)) return undefined;
  return `a source bucket of this JetStream under another name needs nats-server 2.10.0 or newer (its keys are rewritten onto this bucket's subjects); the server is ${version}`;
}

function checkOrigin(value: unknown, field: string, stream: string): BucketOrigin {
  const fail = (reason: string): never => {
    throw new InvalidStreamConfigError(stream, field, reason);
  };
  if (!isRecord(value)) return fail(`must be a bucket such as { bucket: 'sessions', domain: 'hub' }, got ${show(value)}`);
  const unknown = Object.keys(value).find((key) => !ORIGIN_KEYS.has(key));
  if (unknown !== undefined) fail(`has '${unknown}', which is not a bucket origin field (bucket, domain, external)`);
  const { bucket, domain, external } = value;
  if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket))
    fail(`bucket must be a bucket name of letters, digits, '-' and '_', got ${show(bucket)}`);
  if (domain !== undefined && (typeof domain !== 'string' || !/^[-\w]+$/.test(domain))) {
    fail(`domain must be a JetStream domain name, got ${show(domain)}`);
  }
  if (domain !== undefined && external !== undefined) fail('cannot have both domain and external');
  if (external !== undefined) {
    const api = isRecord(external) ? external.api : undefined;
    const deliver = isRecord(external) ? external.deliver : undefined;
    if (typeof api !== 'string' || api === '' || (deliver !== undefined && typeof deliver !== 'string')) {
      fail(`external must be { api: string, deliver?: string } such as { api: '$JS.hub.API' }, got ${show(external)}`);
    }
  }
  return value as unknown as BucketOrigin;
}

function originSource(origin: BucketOrigin): ServerStreamSource {
  const source: ServerStreamSource = { name: `KV_${origin.bucket}` };
  if (origin.domain !== undefined) source.external = { api: `$JS.${origin.domain}.API`, deliver: '' };
  else if (origin.external !== undefined) source.external = { api: origin.external.api, deliver: origin.external.deliver ?? '' };
  return source;
}
