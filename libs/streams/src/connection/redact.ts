/** What stands in for removed credentials. */
export const REDACTED = '***';

/** The start of a URL: `scheme://`. */
const SCHEME = /[a-z][a-z0-9+.-]*:\/\//gi;

/**
 * Replaces credentials with `***`, in one server address or in any text that may hold some (an
 * error message, a comma-separated server list). The one redaction of the library and of the
 * plan command; safe on any string (text without credentials comes back unchanged).
 *
 * The credentials of a URL are everything between its `scheme://` and the last `@` before the
 * next `scheme://` (or the end of the text), whatever the characters: spaces, tabs, newlines, `,`,
 * `/`, `@`, `:`, `%`, `#`, `?`, unicode; an empty user or password. Text before the first
 * `scheme://` (all of it when there is none, e.g. `user:pass@host:4222`) loses everything before
 * its last `@`. When in doubt this removes too much, never too little: a host or an `@` that
 * follows a URL in the same text can go with it.
 *
 * @example
 * redactUrl('nats://bob:S3CRET x@h:4222');                // 'nats://***@h:4222'
 * redactUrl('nats://a:b/c@h1:4222,nats://c:d,e@h2:4222'); // 'nats://***@h1:4222,nats://***@h2:4222'
 */
export function redactUrl(text: string): string {
  const schemes = [...text.matchAll(SCHEME)];
  let out = redactBare(text.slice(0, schemes[0]?.index ?? text.length));
  schemes.forEach((scheme, i) => {
    const start = (scheme.index ?? 0) + scheme[0].length;
    const segment = text.slice(start, schemes[i + 1]?.index ?? text.length);
    const at = segment.lastIndexOf('@');
    out += scheme[0] + (at >= 0 ? `${REDACTED}${segment.slice(at)}` : segment);
  });
  return out;
}

/**
 * One server address as given, credentials replaced by `***`: everything between `scheme://` (or
 * the start, without a scheme) and the address's last `@`. Unlike {@link redactUrl} it reads the
 * whole string as one address, so a password that itself holds `scheme://` is covered too.
 *
 * @example
 * redactServer('nats://u:p nats://x@h:4222'); // 'nats://***@h:4222'
 */
export function redactServer(server: string): string {
  const at = server.lastIndexOf('@');
  if (at < 0) return server;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(server)?.[0] ?? '';
  return `${scheme}${REDACTED}${server.slice(at)}`;
}

/** Text before any `scheme://`: everything before its last `@` is taken for credentials. */
function redactBare(text: string): string {
  const at = text.lastIndexOf('@');
  return at >= 0 ? `${REDACTED}${text.slice(at)}` : text;
}
