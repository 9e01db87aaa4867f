/**
 * The server's own metadata keys (`_nats.*`, nats-server 2.11+; 2.14 adds `_nats.mirror.*` and
 * `_nats.src.*`): never a difference from a declaration, and never removed by an update.
 */

/** The metadata a user set: the server's own `_nats.*` keys removed (a copy only when there are some). */
export function userMetadata(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const metadata = value as Record<string, string>;
  let user = 0;
  let reserved = 0;
  for (const key in metadata) {
    if (!Object.hasOwn(metadata, key)) continue;
    if (key.startsWith('_nats.')) reserved++;
    else user++;
  }
  if (user === 0) return undefined;
  if (reserved === 0) return metadata;
  const copy: Record<string, string> = {};
  for (const key in metadata) if (Object.hasOwn(metadata, key) && !key.startsWith('_nats.')) copy[key] = metadata[key];
  return copy;
}

/**
 * `desired` metadata (user keys) with the server's own `_nats.*` keys of `actual` kept: an update
 * without them would remove those the server does not write again by itself (2.14+
 * `_nats.mirror.*`, `_nats.src.*`); it rewrites its level and version keys anyway.
 */
export function metadataForUpdate(desired: unknown, actual: unknown): Record<string, string> | undefined {
  const server = actual && typeof actual === 'object' ? Object.entries(actual as Record<string, string>) : [];
  const entries = [...server.filter(([key]) => key.startsWith('_nats.')), ...Object.entries(userMetadata(desired) ?? {})];
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
