/** Where a sourced message was copied from: the source stream and its sequence there. */
export interface SourcePosition {
  stream: string;
  seq: number;
}

/** The header a sourcing stream puts on every copy. */
export const SOURCE_HEADER = 'Nats-Stream-Source';

/**
 * Parses a `Nats-Stream-Source` value. nats-server 2.9 writes `<stream> <seq>` (`<stream>:<hash>`
 * for an external source), 2.10+ `<stream> <seq> <filter> <transform> <subject> [<ident>]`: the
 * first two tokens are the same on both. Very old servers wrote the ack subject of the copy,
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<seq>...`. Only the last hop is kept: a copy of a
 * copy names the middle stream and its sequence, not the first one.
 */
export function parseSourceHeader(value: string): SourcePosition | undefined {
  const trimmed = value.trim();
  if (trimmed.startsWith('$JS.ACK.')) {
    const tokens = trimmed.split('.');
    return position(tokens[2], tokens[5]);
  }
  const [stream, seq] = trimmed.split(' ');
  return position(stream?.split(':')[0], seq);
}

/**
 * The value of header `name` (case-insensitive, first one) in a raw NATS header block as
 * STREAM.MSG.GET returns it in `hdrs` (base64 of `NATS/1.0\r\nName: value\r\n\r\n`).
 */
export function headerValue(hdrsBase64: string | undefined, name: string): string | undefined {
  if (!hdrsBase64) return undefined;
  const lines = Buffer.from(hdrsBase64, 'base64').toString('utf8').split('\r\n');
  const wanted = name.toLowerCase();
  // The first line is the version (and status), e.g. `NATS/1.0`.
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** Where a stored message was copied from, or undefined for a message that is not a copy. */
export function sourceOf(hdrsBase64: string | undefined): SourcePosition | undefined {
  const value = headerValue(hdrsBase64, SOURCE_HEADER);
  return value === undefined ? undefined : parseSourceHeader(value);
}

function position(stream: string | undefined, seq: string | undefined): SourcePosition | undefined {
  const n = Number(seq);
  return stream && Number.isSafeInteger(n) && n > 0 ? { stream, seq: n } : undefined;
}
