import { invalidErrorOf } from '../../spec-support/invalid-error.js';
import { declaredObjectStore, normalizeObjectStoreConfig, objectStoreStream } from './object-store-config.js';
import type { ObjectStoreDeclaration } from './object-store-declaration.js';
import { diffStreamConfig } from './stream-diff.js';
import type { ServerStreamConfig } from '../server/server-stream.js';
import { ServerVersion } from '../server/server-version.js';

/** What nats-server 2.9.10 stores for `views.os('files', { ttl: nanos(86400000), max_bytes: 1048576, description: 'files' })`. */
const CLIENT_MADE: ServerStreamConfig = {
  name: 'OBJ_files',
  description: 'files',
  subjects: ['$O.files.C.>', '$O.files.M.>'],
  retention: 'limits',
  max_consumers: -1,
  max_msgs: -1,
  max_bytes: 1048576,
  max_age: 86400000000000,
  max_msgs_per_subject: -1,
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

const problem = (declaration: unknown) => invalidErrorOf(() => normalizeObjectStoreConfig(declaration as ObjectStoreDeclaration));

describe('normalizeObjectStoreConfig', () => {
  it('lays a store out as the nats client does: a store it made with the same settings has no difference', () => {
    const desired = normalizeObjectStoreConfig({ bucket: 'files', ttl: '1d', max_bytes: 1048576, description: 'files' });

    expect(desired).toMatchObject({ name: 'OBJ_files', bucket: 'files' });
    expect(diffStreamConfig(desired.config, CLIENT_MADE, ServerVersion.parse('2.9.10')).changes).toEqual([]);
    const withServerExtras = {
      ...CLIENT_MADE,
      compression: 'none',
      consumer_limits: {},
      metadata: { '_nats.ver': '2.15.1' },
    } as ServerStreamConfig;
    expect(diffStreamConfig(desired.config, withServerExtras, ServerVersion.parse('2.15.1')).changes).toEqual([]);
  });

  it('names a difference by the stream field, and maps the store fields onto it', () => {
    const desired = normalizeObjectStoreConfig({ bucket: 'files', ttl: '2d', max_bytes: 1048576, description: 'files', compression: true });

    expect(desired.config).toMatchObject({ max_age: 2 * 86400e9, compression: 's2' });
    expect(diffStreamConfig(desired.config, CLIENT_MADE, ServerVersion.parse('2.15.1')).changes).toEqual([
      expect.objectContaining({ field: 'max_age', current: 86400e9, desired: 2 * 86400e9 }),
      expect.objectContaining({ field: 'compression', desired: 's2' }),
    ]);
  });

  it('refuses what the store does not have, in its own words', () => {
    expect(problem({ bucket: 'a.b' })).toMatchObject({ stream: 'OBJ_a.b', field: 'bucket' });
    expect(problem({ bucket: 7 })).toMatchObject({ stream: '(object store)', field: 'bucket' });
    expect(problem(null)).toMatchObject({ field: 'bucket' });
    expect(problem({ bucket: 'f', history: 3 })).toMatchObject({ stream: 'OBJ_f', field: 'history' });
    expect(problem({ bucket: 'f', subjects: ['x'] })).toMatchObject({ field: 'subjects' });
    expect(problem({ bucket: 'f', compression: 's2' })).toMatchObject({ field: 'compression' });
    expect(problem({ bucket: 'f', ttl: 'soon' })).toMatchObject({ field: 'ttl' });
    expect(problem({ bucket: 'f', replicas: 0 })).toMatchObject({ field: 'replicas' });
  });

  it('knows the stream that stands for a store by its identity only', () => {
    const declaration = { bucket: 'files', ttl: '1h' };

    const stream = objectStoreStream(declaration);

    expect(declaredObjectStore(stream)).toBe(declaration);
    expect(declaredObjectStore({ ...stream })).toBeUndefined();
  });
});
