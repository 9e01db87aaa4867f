import { ServerVersion } from './server-version.js';

describe('ServerVersion', () => {
  it.each([
    ['2.10.3', '2.10.0', true],
    ['2.9.10', '2.10.0', false],
    ['v2.11.0-beta.1', '2.11.0', true],
    ['2.15.1', '2.15.1', true],
    ['2.10.0', '2.9.99', true],
  ])('%p is at least %p: %p', (version, other, expected) => {
    // Act
    const atLeast = ServerVersion.parse(version).atLeast(other);

    // Assert
    expect(atLeast).toBe(expected);
  });

  it('treats a missing or unreadable version as the newest', () => {
    // Act
    const missing = ServerVersion.parse(undefined);
    const garbage = ServerVersion.parse('nightly');

    // Assert
    expect(missing.atLeast('99.0.0')).toBe(true);
    expect(garbage.toString()).toBe('unknown');
  });

  it('prints the numbers it parsed', () => {
    // Act
    const version = ServerVersion.parse('v2.9.10');

    // Assert
    expect(version.toString()).toBe('2.9.10');
  });
});
