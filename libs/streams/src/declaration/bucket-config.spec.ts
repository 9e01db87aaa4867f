import { invalidErrorOf } from '../../spec-support/invalid-error.js';
import { bucketStream, declaredBucket, normalizeBucketConfig } from './bucket-config.js';
import type { BucketDeclaration } from './bucket-declaration.js';
import { diffStreamConfig } from './stream-diff.js';
import type { ServerStreamConfig } from '../server/server-stream.js';
import { ServerVersion } from '../server/server-version.js';

/** What nats-server 2.9.10 stores for `views.kv('sessions', { history: 5, ttl: 3600000, max_bytes: 1048576 })` (FINDINGS.md F). */
const CLIENT_MADE: ServerStreamConfig = {
  name: 'KV_sessions',
  subjects: ['$KV.sessions.>'],
  retention: 'limits',
  max_consumers: -1,
  max_msgs: -1,
  max_bytes: 1048576,
  max_age: 3600000000000,
  max_msgs_per_subject: 5,
  max_msg_size: -1,
  discard: 'new',
  storage: 'file',
  num_replicas: 1,
  duplicate_window: 120000000000,
  allow_direct: true,
  mirror_direct: false,
  sealed: false,
  deny_delete: false,
  deny_purge: false,
  allow_rollup_hdrs: true,
};

const problem = (declaration: unknown) => invalidErrorOf(() => normalizeBucketConfig(declaration as BucketDeclaration));

describe('normalizeBucketConfig', () => {
  it('lays a bucket out as the nats client does: a bucket it made with the same settings has no difference', () => {
    const desired = normalizeBucketConfig({ bucket: 'sessions', history: 5, ttl: '1h', max_bytes: 1048576 });

    expect(desired.name).toBe('KV_sessions');
    expect(diffStreamConfig(desired.config, CLIENT_MADE, ServerVersion.parse('2.9.10')).changes).toEqual([]);
    const withServerExtras = {
      ...CLIENT_MADE,
      compression: 'none',
      consumer_limits: {},
      allow_msg_ttl: false,
      metadata: { '_nats.ver': '2.15.1' },
    } as ServerStreamConfig;
    expect(diffStreamConfig(desired.config, withServerExtras, ServerVersion.parse('2.15.1')).changes).toEqual([]);
  });

  it("takes the client's defaults, not the library's stream defaults: history 1, no age, no limits", () => {
    expect(normalizeBucketConfig({ bucket: 'plain' }).config).toMatchObject({
      subjects: ['$KV.plain.>'],
      max_msgs_per_subject: 1,
      max_age: 0,
      max_msgs: -1,
      max_bytes: -1,
      max_msg_size: -1,
      duplicate_window: 120e9,
      discard: 'new',
      allow_direct: true,
      allow_rollup_hdrs: true,
      storage: 'file',
      num_replicas: 1,
    });
  });

  it('maps the bucket fields to the stream fields, and the policy through', () => {
    const desired = normalizeBucketConfig({
      bucket: 'b',
      replicas: 1,
      max_value_size: 1024,
      storage: 'memory',
      compression: true,
      ttl: 60_000,
      mode: 'verify',
      allowDataLoss: true,
    });

    expect(desired.config).toMatchObject({
      num_replicas: 1,
      max_msg_size: 1024,
      storage: 'memory',
      compression: 's2',
      max_age: 60e9,
      duplicate_window: 60e9,
    });
    expect(desired.policy).toMatchObject({ mode: 'verify', allowDataLoss: true });
  });

  it("names the bucket's own fields in its errors", () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ bucket: 'a.b' }, 'bucket', /letters, digits/],
      [{ bucket: 'b', history: 0 }, 'history', /from 1 to 64/],
      [{ bucket: 'b', ttl: '10ms' }, 'ttl', /below the server's minimum of 100ms/],
      [{ bucket: 'b', replicas: 7 }, 'replicas', /from 1 to 5/],
      [{ bucket: 'b', max_value_size: -5 }, 'max_value_size', /from -1/],
      [{ bucket: 'b', subjects: ['x'] }, 'subjects', /not a bucket config field/],
      ['b', 'bucket', /must be an object/],
    ];
    for (const [declaration, field, reason] of cases) {
      const error = problem(declaration);
      expect(error.field).toBe(field);
      expect(error.reason).toMatch(reason);
    }
  });
});

describe('bucketStream', () => {
  it('stands for its bucket in a list of stream declarations, and is found again', () => {
    const bucket: BucketDeclaration = { bucket: 'sessions', history: 3 };
    const stream = bucketStream(bucket);

    expect(stream).toMatchObject({ name: 'KV_sessions', subjects: ['$KV.sessions.>'], max_msgs_per_subject: 3 });
    expect(declaredBucket(stream)).toBe(bucket);
    expect(declaredBucket({ name: 'KV_sessions', subjects: ['$KV.sessions.>'] })).toBeUndefined();
  });
});
