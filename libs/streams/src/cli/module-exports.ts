/**
 * The default exports a loaded module may carry: an ES default export, a CommonJS
 * `module.exports` (Node's `default` of a CommonJS module), and the `exports.default` that tsc
 * compiles `export default` to in a CommonJS module (marked `__esModule`).
 */
export function defaultExports(namespace: Record<string, unknown>): unknown[] {
  const value = namespace.default;
  const compiled = isObject(value) && value.__esModule === true ? [value.default] : [];
  return [value, ...compiled];
}

/** A plain object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
