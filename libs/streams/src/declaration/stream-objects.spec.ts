import { STREAM_OBJECT_CHECKS } from './stream-objects.js';
import { invalidErrorOf } from '../../spec-support/invalid-error.js';

describe('STREAM_OBJECT_CHECKS', () => {
  it('returns copies holding only the declared keys', () => {
    // Arrange
    const placement = { tags: ['eu'] };
    const source = { name: 'other', filter_subject: 'other.*', domain: 'hub' };

    // Act
    const checkedPlacement = STREAM_OBJECT_CHECKS.placement(placement, 'orders');
    const checkedSources = STREAM_OBJECT_CHECKS.sources([source], 'orders');

    // Assert
    expect(checkedPlacement).toEqual({ tags: ['eu'] });
    expect(checkedPlacement).not.toBe(placement);
    expect(checkedPlacement.tags).not.toBe(placement.tags);
    expect(checkedSources).toEqual([source]);
    expect(checkedSources[0]).not.toBe(source);
    expect(Object.getPrototypeOf(checkedSources[0])).toBe(Object.prototype);
  });

  it('reads consumer limits in server units', () => {
    // Act
    const limits = STREAM_OBJECT_CHECKS.consumer_limits({ inactive_threshold: '10m', max_ack_pending: 1000 }, 'orders');

    // Assert
    expect(limits).toEqual({ inactive_threshold: 600_000_000_000, max_ack_pending: 1000 });
  });

  it.each<[keyof typeof STREAM_OBJECT_CHECKS, unknown, string, string]>([
    ['placement', { tags: 'eu' }, 'placement', "tags must be an array of strings, got 'eu'"],
    ['placement', { cluster: 'east', tag: ['eu'] }, 'placement.tag', 'is not a field of placement (cluster, tags)'],
    ['metadata', { '_nats.level': '1' }, 'metadata', "key '_nats.level' is reserved for the server (keys starting with '_nats.')"],
    ['metadata', { team: 7 }, 'metadata', "value of 'team' must be a string, got 7"],
    ['metadata', JSON.parse('{"__proto__":"x"}'), 'metadata', "key '__proto__' cannot be kept by a JavaScript object; choose another key"],
    ['republish', { src: 'a.>', dest: 'b c' }, 'republish', "dest must be a subject, got 'b c'"],
    ['subject_transform', { src: 'a b', dest: 'x' }, 'subject_transform', "src 'a b' contains whitespace or a control character"],
    ['mirror', { name: 'a.b' }, 'mirror', "name 'a.b' contains '.'; stream names cannot contain '.', '*', '>', '/' or '\\'"],
    [
      'sources',
      [{ name: 'x', filter_subject: 'a..b' }],
      'sources',
      "filter_subject 'a..b' has an empty token (a leading, trailing or doubled '.')",
    ],
    ['mirror', 'origin', 'mirror', "must be an object with a stream name, got 'origin'"],
    [
      'consumer_limits',
      { inactive_threshold: 'soon' },
      'consumer_limits.inactive_threshold',
      "'soon' is not a duration; write <number><unit> groups such as '500ms', '90s', '1h30m' or '7d' (units ns, us, ms, s, m, h, d, w)",
    ],
  ])('%s refuses %p', (check, value, field, reason) => {
    // Act
    const error = invalidErrorOf(() => STREAM_OBJECT_CHECKS[check](value, 'orders'));

    // Assert
    expect([error.stream, error.field, error.reason]).toEqual(['orders', field, reason]);
  });

  it('refuses placement.preferred, which no nats-server takes in a stream config, saying how a leader is moved', () => {
    // Act
    const error = invalidErrorOf(() => STREAM_OBJECT_CHECKS.placement({ cluster: 'east', preferred: 'n2' }, 'orders'));

    // Assert
    expect([error.stream, error.field]).toEqual(['orders', 'placement.preferred']);
    expect(error.reason).toContain("'preferred server not permitted in placement', 10052");
    expect(error.reason).toContain('step-down');
  });
});
