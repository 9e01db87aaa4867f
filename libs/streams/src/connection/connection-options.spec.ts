import { prepareConnection } from './connection-options.js';
import { redactServer, redactUrl } from './redact.js';
import { parseServerAddress, serverAddressProblem } from './server-address.js';

/** Userinfo a URL may carry: [label, user, password] (undefined password: a token). */
const USERINFO: Array<[string, string, string | undefined]> = [
  ['a space', 'bob', 'S3CRETx S3CRETy'],
  ['a tab', 'bob', 'S3CRETx\tS3CRETy'],
  ['a newline', 'bob', 'S3CRETx\nS3CRETy'],
  ['a comma', 'alice', 'S3CRET,tail'],
  ['a slash', 'alice', 'S3CRET1/S3CRET2'],
  ['an @', 'alice', 'S3C@RET'],
  ['a colon', 'alice', 'S3C:RET'],
  ['a percent', 'alice', 'S3C%RET'],
  ['a hash', 'alice', 'S3C#RET'],
  ['a question mark', 'alice', 'S3C?RET'],
  ['unicode', 'zoë', 'S3CRÉT✓'],
  ['an empty user', '', 'S3CRET'],
  ['an empty password', 'alice', ''],
  ['a token', 'T0KEN', undefined],
  ['a scheme inside', 'alice', 'x nats://S3CRET'],
];

const userinfo = (user: string, pass: string | undefined) => (pass === undefined ? user : `${user}:${pass}`);

describe('redactServer and redactUrl', () => {
  it.each(USERINFO)('hide userinfo with %s, with and without a scheme', (_label, user, pass) => {
    const info = userinfo(user, pass);

    expect(redactServer(`nats://${info}@h:4222`)).toBe('nats://***@h:4222');
    expect(redactServer(`${info}@h:4222`)).toBe('***@h:4222');
  });

  // In free text a password holding `scheme://` cannot be told from a second URL: addresses the
  // library was given are redacted whole (redactServer), never as text.
  it.each(USERINFO.filter(([label]) => label !== 'a scheme inside'))(
    'redactUrl hides userinfo with %s in one URL, in a list and in a message',
    (_label, user, pass) => {
      const info = userinfo(user, pass);

      expect(redactUrl(`nats://${info}@h:4222`)).toBe('nats://***@h:4222');
      expect(redactUrl(`nats://${info}@h1:1,nats://${info}@h2:2`)).toBe('nats://***@h1:1,nats://***@h2:2');
      expect(redactUrl(`connect to nats://${info}@h:1 failed`)).toBe('connect to nats://***@h:1 failed');
    },
  );

  it.each([
    ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4222'],
    ['no credentials, here: 4222', 'no credentials, here: 4222'],
    ['(nats://a:b@h:1)', '(nats://***@h:1)'],
    ['nats://h1:1, nats://c:d@h2:2', 'nats://h1:1, nats://***@h2:2'],
    ['nats://@h:1', 'nats://***@h:1'],
  ])('redactUrl(%s) is %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe('parseServerAddress', () => {
  it.each(USERINFO)('takes userinfo with %s apart and leaves the bare address', (_label, user, pass) => {
    const parsed = parseServerAddress(`nats://${userinfo(user, pass)}@h:4222`);

    expect(parsed.bare).toBe('nats://h:4222');
    expect(parsed.redacted).toBe('nats://***@h:4222');
    if (pass === undefined) expect(parsed).toMatchObject({ token: user });
    else expect(parsed).toMatchObject({ user, pass });
  });

  it('percent-decodes what is valid percent-encoding, and keeps the rest as written', () => {
    expect(parseServerAddress('nats://a%20b:p%2Fq@h:1')).toMatchObject({ user: 'a b', pass: 'p/q' });
    expect(parseServerAddress('nats://user:p%zz@h:1')).toMatchObject({ user: 'user', pass: 'p%zz' });
  });
});

describe('serverAddressProblem', () => {
  it.each([
    ['nats://127.0.0.1:4222', undefined],
    ['127.0.0.1:4222', undefined],
    ['tls://nats.example.com', undefined],
    ['nats://[::1]:4222', undefined],
    ['nats://u:p/q@h:4222', undefined],
    ['http://h:4222', 'scheme http:// is not nats:// or tls://'],
    ['nats://bad host:4222', 'not a host and port'],
    ['nats://h:99999', 'not a host and port'],
    ['nats://h:abc', 'not a host and port'],
    ['nats://[bad', 'not a host and port'],
    ['nats://', 'not a host and port'],
    ['nats://h:4222/path', 'a path, query or fragment is not allowed'],
  ])('%s: %s', (server, problem) => {
    expect(serverAddressProblem(server)).toBe(problem);
  });
});

describe('prepareConnection', () => {
  it('moves user and password from the URL into the client options and strips them from the URL', () => {
    const { options, redactedServers } = prepareConnection({ servers: 'nats://app:s3cret@127.0.0.1:4222' });

    expect(options).toMatchObject({ user: 'app', pass: 's3cret', servers: ['nats://127.0.0.1:4222'] });
    expect(redactedServers).toEqual(['nats://***@127.0.0.1:4222']);
  });

  it('keeps a password with a space, a slash or a hash whole, and shows none of it', () => {
    const { options, redactedServers } = prepareConnection({ servers: ['nats://bob:S3 C/R#T@h:4222', 'h2:4222'] });

    expect(options).toMatchObject({ user: 'bob', pass: 'S3 C/R#T', servers: ['nats://h:4222', 'h2:4222'] });
    expect(redactedServers).toEqual(['nats://***@h:4222', 'h2:4222']);
  });

  it('reads a lone user part as a token, and lets explicit options win', () => {
    expect(prepareConnection({ servers: 'nats://tok@h:4222' }).options.token).toBe('tok');
    expect(prepareConnection({ servers: 'nats://a:b@h:4222', user: 'x', pass: 'y' }).options).toMatchObject({ user: 'x', pass: 'y' });
  });

  it('defaults to reconnecting forever, 1 s apart', () => {
    expect(prepareConnection({ servers: 'h:4222' }).options).toMatchObject({ maxReconnectAttempts: -1, reconnectTimeWait: 1_000 });
  });
});
