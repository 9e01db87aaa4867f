import type { ConnectionService, ServerFacts } from '../connection/connection.service.js';
import { ServerVersion } from '../server/server-version.js';
import type { StreamDeclaration } from '../declaration/stream-declaration.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import type { ResolvedStreamsOptions } from '../streams.options.js';
import { DesiredStreams } from './desired-streams.js';

/** DesiredStreams on a connection whose server facts the test sets. */
function desiredStreams(streamDefaults = {}) {
  const facts: { current: ServerFacts } = { current: { version: ServerVersion.parse('2.15.1'), clustered: false } };
  const connection = { serverFacts: () => facts.current } as unknown as ConnectionService;
  const options = { streamDefaults } as unknown as ResolvedStreamsOptions;
  return { streams: new DesiredStreams(options, connection), facts };
}

describe('DesiredStreams', () => {
  it('returns the same frozen desired stream for an equal declaration given as new objects', () => {
    // Arrange
    const { streams } = desiredStreams();

    // Act
    const first = streams.of('ensureStream', 'orders', ['orders.>'], { max_age: '7d', placement: { tags: ['eu'] } });
    const again = streams.of('ensureStream', 'orders', ['orders.>'], { max_age: '7d', placement: { tags: ['eu'] } });
    const reordered = streams.of('ensureStream', 'orders', ['orders.>'], { placement: { tags: ['eu'] }, max_age: '7d' });

    // Assert
    expect(again).toBe(first);
    expect(reordered).toEqual(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.config.subjects)).toBe(true);
    expect(first.config.max_age).toBe(604_800_000_000_000);
  });

  it('shares what it remembers between declared streams (prepare) and ensureStream calls (of)', () => {
    // Arrange
    const { streams } = desiredStreams();
    const declared = streams.prepare({ name: 'orders', subjects: ['orders.>'], max_msgs: 10 });

    // Act
    const called = streams.of('ensureStream', 'orders', ['orders.>'], { max_msgs: 10 });

    // Assert
    expect(called).toBe(declared);
  });

  it('normalises a changed declaration again, including one changed in place', () => {
    // Arrange
    const { streams } = desiredStreams();
    const config = { max_msgs: 10 };
    const first = streams.of('ensureStream', 'orders', ['orders.>'], config);

    // Act
    config.max_msgs = 20;
    const changed = streams.of('ensureStream', 'orders', ['orders.>'], config);

    // Assert
    expect(first.config.max_msgs).toBe(10);
    expect(changed.config.max_msgs).toBe(20);
  });

  it('remembers every declaration of an app declaring 10,000 streams, across calls', () => {
    // Arrange: the second pass must find every first answer, not only the last few thousand.
    const { streams } = desiredStreams();
    const declare = (i: number): StreamDeclaration => ({ name: `s${i}`, subjects: [`s${i}.>`], max_msgs: 10 });
    const first = Array.from({ length: 10_000 }, (_, i) => streams.prepare(declare(i)));

    // Act
    const again = Array.from({ length: 10_000 }, (_, i) => streams.prepare(declare(i)));

    // Assert
    expect(again.every((desired, i) => desired === first[i])).toBe(true);
  });

  it('keeps one entry per stream name: a changed declaration replaces the one before', () => {
    // Arrange
    const { streams } = desiredStreams();
    const ten = streams.of('ensureStream', 'orders', ['orders.>'], { max_msgs: 10 });
    const twenty = streams.of('ensureStream', 'orders', ['orders.>'], { max_msgs: 20 });

    // Act
    const tenAgain = streams.of('ensureStream', 'orders', ['orders.>'], { max_msgs: 10 });

    // Assert: ten was replaced by twenty, so it is normalised anew (equal, not the same object).
    expect(twenty.config.max_msgs).toBe(20);
    expect(tenAgain).not.toBe(ten);
    expect(tenAgain).toEqual(ten);
  });

  it('normalises again after the server changed version', () => {
    // Arrange
    const { streams, facts } = desiredStreams();
    const first = streams.of('ensureStream', 'orders', ['orders.>'], {});

    // Act
    facts.current = { version: ServerVersion.parse('2.9.10'), clustered: false };
    const again = streams.of('ensureStream', 'orders', ['orders.>'], {});

    // Assert
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('rejects an invalid declaration on every call, and one the server cannot hold', () => {
    // Arrange
    const { streams, facts } = desiredStreams();
    const attempt = () => streams.of('ensureStream', 'orders', ['orders.>'], { max_age: 'soon' });

    // Act / Assert
    expect(attempt).toThrow(InvalidStreamConfigError);
    expect(attempt).toThrow(InvalidStreamConfigError);
    facts.current = { version: ServerVersion.parse('2.9.10'), clustered: false };
    expect(() => streams.of('ensureStream', 'orders', ['orders.>'], { compression: 's2' })).toThrow(/needs nats-server 2.10.0/);
  });

  it('does not remember, nor freeze, a declaration holding more than plain data', () => {
    // Arrange
    const { streams } = desiredStreams();
    const metadata = new (class Metadata {
      team = 'billing';
    })();
    const declaration: StreamDeclaration = {
      name: 'copy',
      subjects: [],
      sources: [{ name: 'orders' }],
      metadata: metadata as unknown as Record<string, string>,
    };

    // Act
    const first = streams.prepare(declaration);
    const again = streams.prepare(declaration);

    // Assert
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    expect(first.config.metadata).toEqual({ team: 'billing' });
    expect(Object.isFrozen(first)).toBe(false);
    expect(Object.isFrozen(declaration.sources?.[0])).toBe(false);
  });

  it.each<[string, unknown, string]>([
    ['a Date', new Date(0), "ensureStream: config must be a plain object such as { max_age: '7d' }, got a Date"],
    ['a Map', new Map([['max_age', '7d']]), "ensureStream: config must be a plain object such as { max_age: '7d' }, got a Map"],
    ['null', null, "ensureStream: config must be a plain object such as { max_age: '7d' }, got null"],
    ['another name', { name: 'other' }, "ensureStream: config.name is 'other' but the name argument is 'orders'; leave it out"],
    [
      'other subjects',
      { subjects: ['other.>'] },
      "ensureStream: config.subjects is ['other.>'] but the subjects argument is ['orders.>']; pass subjects as the second argument only",
    ],
  ])('refuses a config that is %s, naming the argument', (_label, config, message) => {
    // Arrange
    const { streams } = desiredStreams();

    // Act
    const attempt = () => streams.of('ensureStream', 'orders', ['orders.>'], config as object);

    // Assert
    expect(attempt).toThrow(InvalidArgumentError);
    expect(attempt).toThrow(message);
  });

  it('accepts a config that repeats the same name and subjects', () => {
    // Arrange
    const { streams } = desiredStreams();

    // Act
    const desired = streams.of('planStream', 'orders', ['orders.>'], { name: 'orders', subjects: ['orders.>'], max_msgs: 5 });

    // Assert
    expect(desired.config).toMatchObject({ name: 'orders', subjects: ['orders.>'], max_msgs: 5 });
  });

  it("does not freeze the caller's subjects list", () => {
    // Arrange
    const { streams } = desiredStreams();
    const subjects = ['orders.>'];

    // Act
    const desired = streams.of('ensureStream', 'orders', subjects, {});

    // Assert
    expect(Object.isFrozen(desired.config.subjects)).toBe(true);
    expect(Object.isFrozen(subjects)).toBe(false);
  });
});
