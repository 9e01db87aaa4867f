import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import type { PurgeRequest } from '../jetstream/api-types.js';
import { validateSubject } from '../declaration/subjects.js';
import type { PurgeOptions } from '../reconcile/stream-results.js';

const PURGE_KEYS: ReadonlySet<string> = new Set(['filter', 'seq', 'keep']);

/**
 * The STREAM.PURGE request for `purgeStream`'s selection: a subject string, or `{ filter?, seq?,
 * keep? }` read as own properties, each once. Any other key (a typo such as `filtr` would purge
 * every message on servers that ignore unknown fields) is an error, as is a wrong type or a key
 * given as `undefined` (it would widen the purge to every message).
 * @throws InvalidStreamConfigError naming the offending key
 */
export function purgeRequest(stream: string, selection: string | PurgeOptions): PurgeRequest {
  if (typeof selection === 'string') {
    validateSubject(selection, stream);
    return { filter: selection };
  }
  if (selection === null || typeof selection !== 'object' || Array.isArray(selection)) {
    throw new InvalidStreamConfigError(stream, 'purge', 'needs a subject or { filter?, seq?, keep? } ({} purges every message)');
  }
  const proto: unknown = Object.getPrototypeOf(selection);
  const inherited = [...PURGE_KEYS].find((key) => key in selection && !Object.hasOwn(selection, key));
  if ((proto !== Object.prototype && proto !== null) || inherited) {
    // An inherited selector would be silently dropped, turning the purge into "every message".
    throw new InvalidStreamConfigError(stream, inherited ?? 'purge', 'must be an own property of a plain object { filter?, seq?, keep? }');
  }
  const request: PurgeRequest = {};
  for (const key of Object.keys(selection)) {
    if (!PURGE_KEYS.has(key)) {
      throw new InvalidStreamConfigError(stream, key, 'is not a purge option; use filter, seq or keep');
    }
    const value: unknown = (selection as Record<string, unknown>)[key];
    if (value === undefined) {
      // `{ filter: maybeUndefined }` must not become `{}`: that purges every message.
      throw new InvalidStreamConfigError(stream, key, 'is undefined; leave it out to mean no limit ({} purges every message)');
    }
    if (key === 'filter') {
      validateSubject(value, stream);
      request.filter = value as string;
    } else {
      const min = key === 'seq' ? 1 : 0;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
        throw new InvalidStreamConfigError(stream, key, `must be a whole number >= ${min}, got ${String(value)}`);
      }
      request[key as 'seq' | 'keep'] = value;
    }
  }
  if (request.seq !== undefined && request.keep !== undefined) {
    throw new InvalidStreamConfigError(stream, 'purge', 'cannot combine seq and keep');
  }
  return request;
}
