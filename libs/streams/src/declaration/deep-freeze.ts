/**
 * Freezes `value` and every object and array it holds, and returns it. An object that is already
 * frozen is not walked again (so a shared, frozen part costs nothing, and a cycle ends). Made for
 * JSON-like data: a server answer or a normalised config.
 *
 * @example
 * const info = deepFreeze(JSON.parse(text)); // info.config.subjects.push('x') now throws
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) freezeTree(value);
  return value;
}

function freezeTree(value: object): void {
  Object.freeze(value);
  // Indexed and for-in loops, not Object.keys: no array per object on a path taken for every
  // stream of every list.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null && !Object.isFrozen(item)) freezeTree(item);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (typeof item === 'object' && item !== null && !Object.isFrozen(item)) freezeTree(item);
  }
}
