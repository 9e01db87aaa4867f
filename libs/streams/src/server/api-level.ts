import { ServerVersion } from './server-version.js';

/**
 * The JetStream API level (ADR-44) of each nats-server line that raised it, newest first: what
 * `$JS.API.INFO` answers as `api.level` (2.15.1 answers 5, measured) and what the server writes as
 * `_nats.req.level` on a stream using a field of that line (measured on 2.15.1: `allow_msg_ttl` 1,
 * `allow_atomic` 2, `allow_batched` 4). Servers before 2.11 have no level (0).
 */
const API_LEVELS: readonly (readonly [since: string, level: number])[] = [
  ['2.15.0', 5],
  ['2.14.0', 4],
  ['2.12.0', 2],
  ['2.11.0', 1],
];

/**
 * The JetStream API level a server of `version` has (0 before 2.11), e.g. the level a field
 * known since that version needs.
 * @example
 * apiLevelOf('2.12.0'); // 2
 */
export function apiLevelOf(version: string): number {
  const parsed = ServerVersion.parse(version);
  for (const [since, level] of API_LEVELS) if (parsed.atLeast(since)) return level;
  return 0;
}
