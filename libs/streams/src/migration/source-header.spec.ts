import { headerValue } from '../jetstream/message-headers.js';
import { parseSourceHeader, sourceOf } from './source-header.js';

const hdrs = (lines: string[]): string => Buffer.from(`NATS/1.0\r\n${lines.join('\r\n')}\r\n\r\n`).toString('base64');

describe('Nats-Stream-Source', () => {
  it.each([
    ['nats-server 2.9', 'O 7', { stream: 'O', seq: 7 }],
    ['nats-server 2.15', 'O 7 > > orders.c Hx7T7Gw8', { stream: 'O', seq: 7 }],
    ['2.15 with a filter', 'O 2 orders.b > orders.b Hx7T7Gw8', { stream: 'O', seq: 2 }],
    ['an external source on 2.9', 'O:4f2a9c 12', { stream: 'O', seq: 12 }],
    ['an old ack subject', '$JS.ACK.O.C.1.42.40.1764000000000000000.0', { stream: 'O', seq: 42 }],
  ])('parses the format of %s', (_label, value, expected) => {
    expect(parseSourceHeader(value)).toEqual(expected);
  });

  it.each([
    ['', ''],
    ['no sequence', 'O'],
    ['a sequence that is no number', 'O seven'],
    ['sequence 0', 'O 0'],
  ])('reads %s as unknown', (_label, value) => {
    expect(parseSourceHeader(value)).toBeUndefined();
  });

  it('finds the header in a stored message (case-insensitively), and nothing in a message without it', () => {
    const stored = hdrs(['Nats-Msg-Id: x', 'nats-stream-source: orders__migrating 9 > > orders.a Zx']);
    expect(headerValue(stored, 'Nats-Stream-Source')).toBe('orders__migrating 9 > > orders.a Zx');
    expect(sourceOf(stored)).toEqual({ stream: 'orders__migrating', seq: 9 });
    expect(sourceOf(hdrs(['Nats-Msg-Id: x']))).toBeUndefined();
    expect(sourceOf(undefined)).toBeUndefined();
  });
});
