import type { StreamConfigInput } from './stream-declaration.js';
import { DEFAULT_STREAM_DEFAULTS, STREAM_FIELDS, STREAM_FIELDS_BY_NAME } from './stream-fields.js';
import { userMetadata } from './server-metadata.js';
import { STREAM_OBJECT_CHECKS } from './stream-objects.js';

describe('the stream field table', () => {
  it("holds the library's defaults, bounded on purpose", () => {
    // Act
    const defaults: StreamConfigInput = { ...DEFAULT_STREAM_DEFAULTS };

    // Assert
    expect(defaults).toEqual({
      retention: 'limits',
      max_msgs: 1_000_000,
      max_msgs_per_subject: 100_000,
      max_age: '1h',
      storage: 'file',
      num_replicas: 1,
    });
    expect(Object.isFrozen(DEFAULT_STREAM_DEFAULTS)).toBe(true);
  });

  it('has one row per field, and a checker for each field that holds an object', () => {
    // Act
    const fields = STREAM_FIELDS.map((row) => row.field);
    const objects = STREAM_FIELDS.filter((row) => row.kind === 'object').map((row) => row.field);

    // Assert
    expect(new Set(fields).size).toBe(fields.length);
    expect(objects.sort()).toEqual(Object.keys(STREAM_OBJECT_CHECKS).sort());
    expect(STREAM_FIELDS_BY_NAME.get('max_age')?.kind).toBe('duration');
  });

  it('says since which server version each newer field exists', () => {
    // Act
    const since = Object.fromEntries(STREAM_FIELDS.filter((row) => row.since).map((row) => [row.field, row.since]));

    // Assert
    expect(since).toEqual({
      subject_transform: '2.10.0',
      compression: '2.10.0',
      metadata: '2.10.0',
      consumer_limits: '2.10.0',
      first_seq: '2.10.0',
      allow_msg_ttl: '2.11.0',
      subject_delete_marker_ttl: '2.11.0',
      allow_msg_schedules: '2.12.0',
      allow_msg_counter: '2.12.0',
      allow_atomic: '2.12.0',
      allow_batched: '2.14.0',
      persist_mode: '2.12.0',
    });
  });

  it('gives every always-present field a value for when the server leaves it out', () => {
    // Act
    const missing = STREAM_FIELDS.filter((row) => row.fill === 'always' && row.absent === undefined && !row.absentIn);

    // Assert
    expect(missing.map((row) => row.field)).toEqual([]);
  });
});

describe('userMetadata', () => {
  it("keeps the user's keys and drops the server's _nats.* ones", () => {
    // Arrange
    const own = { team: 'a' };

    // Act
    const mixed = userMetadata({ '_nats.ver': '2.15.1', team: 'a' });
    const serverOnly = userMetadata({ '_nats.ver': '2.15.1' });
    const userOnly = userMetadata(own);

    // Assert
    expect(mixed).toEqual({ team: 'a' });
    expect(serverOnly).toBeUndefined();
    expect(userOnly).toBe(own);
    expect(userMetadata(undefined)).toBeUndefined();
  });
});
