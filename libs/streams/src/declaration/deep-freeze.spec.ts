import { deepFreeze } from './deep-freeze.js';

describe('deepFreeze', () => {
  it('freezes an answer and everything it holds, and returns it', () => {
    // Arrange
    const info = JSON.parse('{"config":{"name":"orders","subjects":["orders.>"],"metadata":{"a":"1"}},"state":{"messages":3}}');

    // Act
    const frozen = deepFreeze(info);

    // Assert
    expect(frozen).toBe(info);
    expect([info, info.config, info.config.subjects, info.config.metadata, info.state].every(Object.isFrozen)).toBe(true);
    expect(() => info.config.subjects.push('x')).toThrow(TypeError);
  });

  it('freezes objects inside arrays', () => {
    // Arrange
    const config = { sources: [{ name: 'a', external: { api: '$JS.x.API' } }] };

    // Act
    deepFreeze(config);

    // Assert
    expect(Object.isFrozen(config.sources[0])).toBe(true);
    expect(Object.isFrozen(config.sources[0].external)).toBe(true);
  });

  it('ends on a cycle and passes primitives through', () => {
    // Arrange
    const node: { self?: unknown } = {};
    node.self = node;

    // Act
    const frozen = deepFreeze(node);

    // Assert
    expect(Object.isFrozen(frozen)).toBe(true);
    expect(deepFreeze(5)).toBe(5);
    expect(deepFreeze(null)).toBeNull();
  });
});
