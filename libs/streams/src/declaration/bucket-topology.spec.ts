import { invalidErrorOf } from '../../spec-support/invalid-error.js';
import { normalizeBucketConfig } from './bucket-config.js';
import type { BucketDeclaration } from './bucket-declaration.js';
import { bucketTopologyProblem } from './bucket-topology.js';
import { diffStreamConfig } from './stream-diff.js';
import type { ServerStreamConfig } from '../server/server-stream.js';
import { ServerVersion } from '../server/server-version.js';

/** What nats-server 2.15.1 stores for `views.kv('replica', { history: 3, mirror: { name: 'origin', domain: 'hub' } })`. */
const CLIENT_MIRROR = {
  name: 'KV_replica',
  retention: 'limits',
  max_consumers: -1,
  max_msgs: -1,
  max_bytes: -1,
  max_age: 0,
  max_msgs_per_subject: 3,
  max_msg_size: -1,
  discard: 'new',
  storage: 'file',
  num_replicas: 1,
  mirror: { name: 'KV_origin', external: { api: '$JS.hub.API', deliver: '' } },
  compression: 'none',
  allow_direct: true,
  mirror_direct: true,
  sealed: false,
  deny_delete: false,
  deny_purge: false,
  allow_rollup_hdrs: true,
  consumer_limits: {},
  allow_msg_ttl: false,
  metadata: { '_nats.level': '5', '_nats.req.level': '0', '_nats.ver': '2.15.1' },
} as unknown as ServerStreamConfig;

/** What nats-server 2.15.1 stores for `views.kv('merged', { history: 3, sources: [{ name: 'origin' }, { name: 'other' }] })`. */
const CLIENT_SOURCED = {
  ...CLIENT_MIRROR,
  name: 'KV_merged',
  subjects: ['$KV.merged.>'],
  mirror: undefined,
  mirror_direct: false,
  sources: [
    { name: 'KV_origin', subject_transforms: [{ src: '$KV.origin.>', dest: '$KV.merged.>' }] },
    { name: 'KV_other', subject_transforms: [{ src: '$KV.other.>', dest: '$KV.merged.>' }] },
  ],
} as unknown as ServerStreamConfig;

const v2_15 = ServerVersion.parse('2.15.1');
const problem = (declaration: unknown) => invalidErrorOf(() => normalizeBucketConfig(declaration as BucketDeclaration));

describe('mirrored and sourced buckets', () => {
  it("lays a mirror of another domain's bucket out as the client does", () => {
    const desired = normalizeBucketConfig({ bucket: 'replica', history: 3, mirror: { bucket: 'origin', domain: 'hub' } });

    expect(desired.config.subjects).toEqual([]);
    expect(diffStreamConfig(desired.config, CLIENT_MIRROR, v2_15).changes).toEqual([]);
  });

  it('takes an explicit API prefix as the same mirror as its domain', () => {
    const desired = normalizeBucketConfig({
      bucket: 'replica',
      history: 3,
      mirror: { bucket: 'origin', external: { api: '$JS.hub.API' } },
    });

    expect(diffStreamConfig(desired.config, CLIENT_MIRROR, v2_15).changes).toEqual([]);
  });

  it('lays sources out as the client does, in any order, a local one rewritten onto this bucket', () => {
    const desired = normalizeBucketConfig({ bucket: 'merged', history: 3, sources: [{ bucket: 'other' }, { bucket: 'origin' }] });

    expect(diffStreamConfig(desired.config, CLIENT_SOURCED, v2_15).changes).toEqual([]);
  });

  it('keeps the subjects of a source in another domain, as the client does', () => {
    const desired = normalizeBucketConfig({ bucket: 'merged', sources: [{ bucket: 'merged', domain: 'hub' }] });

    expect(desired.config.sources).toEqual([{ name: 'KV_merged', external: { api: '$JS.hub.API', deliver: '' } }]);
    expect(bucketTopologyProblem(desired.config.sources, ServerVersion.parse('2.9.10'))).toBeUndefined();
  });

  it('says a local source needs 2.10, whose transforms an older server would drop', () => {
    const desired = normalizeBucketConfig({ bucket: 'merged', sources: [{ bucket: 'origin' }] });

    expect(bucketTopologyProblem(desired.config.sources, ServerVersion.parse('2.9.10'))).toMatch(
      /needs nats-server 2\.10\.0 or newer .*; the server is 2\.9\.10/,
    );
    expect(bucketTopologyProblem(desired.config.sources, ServerVersion.parse('2.10.27'))).toBeUndefined();
  });

  it('refuses a mirror of itself, both kinds at once, and malformed origins, naming the field', () => {
    expect(problem({ bucket: 'b', mirror: { bucket: 'b' } })).toMatchObject({ stream: 'KV_b', field: 'mirror' });
    expect(problem({ bucket: 'b', mirror: { bucket: 'a' }, sources: [{ bucket: 'c' }] })).toMatchObject({ field: 'mirror' });
    expect(problem({ bucket: 'b', mirror: 'a' })).toMatchObject({ field: 'mirror' });
    expect(problem({ bucket: 'b', mirror: { bucket: 'a', domain: 'a.b' } })).toMatchObject({ field: 'mirror' });
    expect(problem({ bucket: 'b', sources: { bucket: 'a' } })).toMatchObject({ field: 'sources' });
    expect(problem({ bucket: 'b', sources: [{ bucket: 'a' }, { bucket: 'c', filter_subject: 'x' }] })).toMatchObject({
      field: 'sources[1]',
    });
  });
});
