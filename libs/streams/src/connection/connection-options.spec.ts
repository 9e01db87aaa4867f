import { prepareConnection, redactUrl } from './connection-options.js';

describe('redactUrl', () => {
  it.each([
    ['nats://user:secret@127.0.0.1:4222', 'nats://***@127.0.0.1:4222'],
    ['nats://tok-123@127.0.0.1:4222', 'nats://***@127.0.0.1:4222'],
    ['nats://user:p@ss@host:4222', 'nats://***@host:4222'],
    ['nats://user:pa/ss@host:4222', 'nats://***@host:4222'],
    ['tls://tok#en@h:4222', 'tls://***@h:4222'],
    ['user:pass@host:4222', '***@host:4222'],
    ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4222'],
    ['connect to nats://a:b@h:1, nats://c:d@h:2 failed', 'connect to nats://***@h:1, nats://***@h:2 failed'],
    ['nats://alice:S3CRET,tail@h:4222', 'nats://***@h:4222'],
    ['nats://a:b@h1:1,nats://c:d@h2:2', 'nats://***@h1:1,nats://***@h2:2'],
    ['(nats://a:b@h:1)', '(nats://***@h:1)'],
    ['no credentials, here: 4222', 'no credentials, here: 4222'],
  ])('%s -> %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe('prepareConnection', () => {
  it('moves user and password from the URL into the client options and strips them from the URL', () => {
    const { options, redactedServers } = prepareConnection({ servers: 'nats://app:s3cret@127.0.0.1:4222' });

    expect(options).toMatchObject({ user: 'app', pass: 's3cret', servers: ['nats://127.0.0.1:4222'] });
    expect(redactedServers).toEqual(['nats://***@127.0.0.1:4222']);
  });

  it('reads a lone user part as a token, and lets explicit options win', () => {
    expect(prepareConnection({ servers: 'nats://tok@h:4222' }).options.token).toBe('tok');
    expect(prepareConnection({ servers: 'nats://a:b@h:4222', user: 'x', pass: 'y' }).options).toMatchObject({ user: 'x', pass: 'y' });
  });

  it('redacts a server string the URL parser rejects, and keeps a password that is not valid percent-encoding', () => {
    expect(prepareConnection({ servers: 'nats://user:pw@[bad' }).redactedServers).toEqual(['nats://***@[bad']);
    expect(prepareConnection({ servers: 'nats://user:p%zz@host:4222' }).options).toMatchObject({ user: 'user', pass: 'p%zz' });
  });

  it('defaults to reconnecting forever, 1 s apart', () => {
    expect(prepareConnection({ servers: 'h:4222' }).options).toMatchObject({ maxReconnectAttempts: -1, reconnectTimeWait: 1_000 });
  });
});
