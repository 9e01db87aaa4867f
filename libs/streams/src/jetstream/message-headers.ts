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
