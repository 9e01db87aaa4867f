import { headerValue } from '../jetstream/message-headers.js';

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

/** Where a stored message was copied from, or undefined for a message that is not a copy. */
export function sourceOf(hdrsBase64: string | undefined): SourcePosition | undefined {
  const value = headerValue(hdrsBase64, SOURCE_HEADER);
  return value === undefined ? undefined : parseSourceHeader(value);
}

function position(stream: string | undefined, seq: string | undefined): SourcePosition | undefined {
  const n = Number(seq);
  return stream && Number.isSafeInteger(n) && n > 0 ? { stream, seq: n } : undefined;
}
