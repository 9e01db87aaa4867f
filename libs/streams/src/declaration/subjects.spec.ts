import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { invalidErrorOf } from '../../spec-support/invalid-error.js';
import {
  checkSubjects,
  findSubjectOverlaps,
  subjectCovers,
  subjectProblem,
  subjectsOverlap,
  validateStreamName,
  validateSubject,
  type NamedSubjects,
} from './subjects.js';

describe('validateStreamName and validateSubject', () => {
  it.each(['orders', 'ORDERS_v2', 'a-b', 'x'.repeat(255)])('accepts the name %p', (name) => {
    // Act + Assert
    expect(() => validateStreamName(name)).not.toThrow();
  });

  it.each([
    ['longer than 255 bytes', 'x'.repeat(256)],
    ['255 characters of 2 bytes each', 'é'.repeat(255)],
    ['empty', ''],
    ['not a string', 42],
    ['with a space', 'a b'],
    ['with a tab', 'a\tb'],
    ['with a control character', 'a\u0007b'],
    ['with a dot', 'a.b'],
    ['with *', 'a*'],
    ['with >', 'a>'],
    ['with /', 'a/b'],
    ['with \\', 'a\\b'],
  ])('rejects a name %s', (_label, name) => {
    // Act
    const error = invalidErrorOf(() => validateStreamName(name));

    // Assert
    expect(error.field).toBe('name');
  });

  it.each(['orders', 'orders.*', 'orders.>', '*.created', '>', 'a.*.c', '*'])('accepts the subject %p', (subject) => {
    // Act + Assert
    expect(() => validateSubject(subject, 'orders')).not.toThrow();
  });

  it.each([
    ['', 'must not contain an empty subject'],
    ['a b', "'a b' contains whitespace or a control character"],
    ['a..b', "'a..b' has an empty token (a leading, trailing or doubled '.')"],
    ['.a', "'.a' has an empty token (a leading, trailing or doubled '.')"],
    ['a.', "'a.' has an empty token (a leading, trailing or doubled '.')"],
    ['a*', "'a*' uses '*' or '>' inside a token; wildcards must be whole tokens such as 'orders.*'"],
    ['a.b>', "'a.b>' uses '*' or '>' inside a token; wildcards must be whole tokens such as 'orders.*'"],
    ['a.>.b', "'a.>.b' has '>' before its last token; '>' may only end a subject"],
    ['a*..b', "'a*..b' has an empty token (a leading, trailing or doubled '.')"],
  ])('names the problem of the subject %p', (subject, problem) => {
    // Act
    const error = invalidErrorOf(() => validateSubject(subject, 'orders'));

    // Assert
    expect(error.field).toBe('subjects');
    expect(error.reason).toBe(problem);
    expect(subjectProblem(subject)).toBe(problem);
  });

  it('rejects a subject that is not a string', () => {
    // Act
    const problem = subjectProblem(7);

    // Assert
    expect(problem).toBe('must be strings, got 7');
  });
});

describe('subjectsOverlap', () => {
  it.each([
    ['orders.*', 'orders.new', true],
    ['orders.>', 'orders.new.eu', true],
    ['orders.>', 'orders', false],
    ['orders.*', 'orders', false],
    ['a.*.c', 'a.b.*', true],
    ['a.>', '*.b', true],
    ['a.b', 'a.b', true],
    ['a.b', 'a.c', false],
    ['a.b', 'a.b.c', false],
    ['*', '>', true],
    ['>', 'a.b.c', true],
    ['a.*', 'b.*', false],
    ['*.*', 'a.>', true],
    ['ab.c', 'a.c', false],
    ['orders.created', 'orders.create', false],
    ['*.*.*', 'a.b', false],
  ])('%p vs %p -> %p (both ways)', (a, b, expected) => {
    // Act
    const forward = subjectsOverlap(a, b);
    const backward = subjectsOverlap(b, a);

    // Assert
    expect(forward).toBe(expected);
    expect(backward).toBe(expected);
  });

  it.each<[string, unknown, unknown, string]>([
    ['null', null, 'a.b', 'subjectsOverlap: a must be a string, got null'],
    ['an empty token', 'a..b', 'a.b', 'subjectsOverlap: a '],
    ['a wildcard inside a token', 'a.b', 'a.b*', 'subjectsOverlap: b '],
    ["'>' before the last token", 'a.>.b', 'a.b', 'subjectsOverlap: a '],
  ])('refuses %s with an InvalidArgumentError naming the argument', (_label, a, b, start) => {
    // Act
    const attempt = () => subjectsOverlap(a as string, b as string);

    // Assert
    expect(attempt).toThrow(InvalidArgumentError);
    expect(attempt).toThrow(start);
  });
});

describe('subjectCovers', () => {
  it.each([
    ['orders.>', 'orders.*.new', true],
    ['orders.>', 'orders.a', true],
    ['orders.>', 'orders', false],
    ['orders.*', 'orders.a', true],
    ['orders.*', 'orders.*', true],
    ['orders.*', 'orders.>', false],
    ['orders.a', 'orders.*', false],
    ['orders.a', 'orders.a', true],
    ['orders.a', 'orders.b', false],
    ['>', 'anything.at.all', true],
    ['orders.*', 'orders.a.b', false],
  ])('%s covers %s: %s', (general, specific, expected) => {
    expect(subjectCovers(general, specific)).toBe(expected);
  });
});

describe('checkSubjects', () => {
  it('returns a sorted copy and leaves the declared list as it was', () => {
    // Arrange
    const subjects = ['orders.updated', 'orders.created', 'invoices.>'];

    // Act
    const sorted = checkSubjects(subjects, 'orders');

    // Assert
    expect(sorted).toEqual(['invoices.>', 'orders.created', 'orders.updated']);
    expect(subjects).toEqual(['orders.updated', 'orders.created', 'invoices.>']);
    expect(checkSubjects(sorted, 'orders')).not.toBe(sorted);
  });

  it.each([
    [['orders.*', 'orders.new'], "'orders.*' and 'orders.new' overlap; a stream's subjects must not"],
    [['a.b', 'c', 'a.b'], "lists 'a.b' twice"],
    [['a.*', 'a.*'], "lists 'a.*' twice"],
    [['x.>', 'y', '*.q'], "'x.>' and '*.q' overlap; a stream's subjects must not"],
  ])('refuses %p', (subjects, reason) => {
    // Act
    const error = invalidErrorOf(() => checkSubjects(subjects, 'orders'));

    // Assert
    expect(error.field).toBe('subjects');
    expect(error.reason).toBe(reason);
  });

  it('refuses a list that is not an array, naming it', () => {
    // Act
    const error = invalidErrorOf(() => checkSubjects('orders.>', 'orders'));

    // Assert
    expect(error.reason).toBe("must be an array of subjects, got 'orders.>'");
  });

  describe('with 60,000 distinct subjects (checked through the index)', () => {
    const many = (): string[] => Array.from({ length: 60_000 }, (_, i) => (i % 1000 === 999 ? `wild.${i}.*` : `events.${i}.created`));

    it('accepts them all and sorts them', () => {
      // Arrange
      const subjects = many();

      // Act
      const sorted = checkSubjects(subjects, 'events');

      // Assert
      expect(sorted).toHaveLength(60_000);
      expect(sorted).toEqual([...subjects].sort());
    });

    it('finds a wildcard at the end that overlaps a subject near the start', () => {
      // Arrange
      const subjects = [...many(), 'events.3.*'];

      // Act
      const error = invalidErrorOf(() => checkSubjects(subjects, 'events'));

      // Assert
      expect(error.reason).toBe("'events.3.created' and 'events.3.*' overlap; a stream's subjects must not");
    });

    it('finds a literal at the end that a wildcard near the start captures', () => {
      // Arrange
      const subjects = [...many(), 'wild.999.late'];

      // Act
      const error = invalidErrorOf(() => checkSubjects(subjects, 'events'));

      // Assert
      expect(error.reason).toBe("'wild.999.*' and 'wild.999.late' overlap; a stream's subjects must not");
    });

    it('finds two wildcards that overlap, and a subject listed twice', () => {
      // Arrange
      const wildcards = [...many(), '*.5.created'];
      const twice = [...many(), 'events.59998.created'];

      // Act
      const wildcardError = invalidErrorOf(() => checkSubjects(wildcards, 'events'));
      const twiceError = invalidErrorOf(() => checkSubjects(twice, 'events'));

      // Assert
      expect(wildcardError.reason).toContain("'*.5.created'");
      expect(wildcardError.reason).toContain('overlap');
      expect(twiceError.reason).toBe("lists 'events.59998.created' twice");
    });
  });
});

describe('findSubjectOverlaps', () => {
  const stream = (name: string, subjects: string[]): NamedSubjects => ({ name, config: { subjects } });

  it('reports overlapping subjects across declarations of a batch', () => {
    // Arrange
    const batch = [
      stream('orders', ['orders.>']),
      stream('invoices', ['invoices.*']),
      stream('eu-orders', ['eu.invoices', 'orders.eu']),
      stream('payments', ['eu.*', 'payments.*.paid']),
    ];

    // Act
    const overlaps = findSubjectOverlaps(batch);

    // Assert
    expect(overlaps).toEqual([
      { kind: 'subjects', stream: 'orders', otherStream: 'eu-orders', subject: 'orders.>', otherSubject: 'orders.eu' },
      { kind: 'subjects', stream: 'eu-orders', otherStream: 'payments', subject: 'eu.invoices', otherSubject: 'eu.*' },
    ]);
  });

  it('reports a name declared twice', () => {
    // Arrange
    const batch = [stream('orders', ['orders.a']), stream('orders', ['orders.b'])];

    // Act
    const overlaps = findSubjectOverlaps(batch);

    // Assert
    expect(overlaps).toEqual([{ kind: 'name', stream: 'orders', otherStream: 'orders', subject: '', otherSubject: '' }]);
  });

  it('finds nothing in a batch of disjoint streams', () => {
    // Act
    const overlaps = findSubjectOverlaps([stream('a', ['a.>']), stream('b', ['b.>']), stream('c', ['a'])]);

    // Assert
    expect(overlaps).toEqual([]);
  });

  it('searches a batch of declarations that can change again on every call', () => {
    // Arrange
    const orders = stream('orders', ['orders.>']);
    const eu = stream('eu', ['eu.>']);
    const before = findSubjectOverlaps([orders, eu]);

    // Act
    (eu.config.subjects as string[]).push('orders.eu');
    const after = findSubjectOverlaps([orders, eu]);

    // Assert
    expect(before).toEqual([]);
    expect(after).toEqual([{ kind: 'subjects', stream: 'orders', otherStream: 'eu', subject: 'orders.>', otherSubject: 'orders.eu' }]);
  });
});
