import { CliUsageError } from './cli-usage.error.js';
import { DEFAULT_SERVER, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, parseCliArgs } from './cli-args.js';

describe('parseCliArgs', () => {
  it('reads plan, the module path and every flag', () => {
    const parsed = parseCliArgs(
      [
        'plan',
        'dist/app.module.js',
        '--server',
        'nats://a:4222,nats://b:4222',
        '--module',
        'AppModule',
        '--connection',
        'eu',
        '--json',
        '--timeout',
        '2500',
      ],
      {},
    );

    expect(parsed).toEqual({
      command: 'plan',
      module: 'dist/app.module.js',
      rootModule: 'AppModule',
      connection: 'eu',
      servers: ['nats://a:4222', 'nats://b:4222'],
      defaultServer: false,
      json: true,
      timeoutMs: 2500,
    });
  });

  it('says whether the server is the default one, tried when neither --server nor NATS_URL names one', () => {
    expect(parseCliArgs(['plan', 'x.js'], {})).toMatchObject({ defaultServer: true });
    expect(parseCliArgs(['plan', 'x.js'], { NATS_URL: 'nats://env:4222' })).toMatchObject({ defaultServer: false });
    expect(parseCliArgs(['plan', 'x.js', '-s', 'nats://flag:1'], {})).toMatchObject({ defaultServer: false });
  });

  it('takes the server from NATS_URL, then the default, and defaults the rest', () => {
    expect(parseCliArgs(['plan', 'x.js'], { NATS_URL: 'nats://env:4222' })).toMatchObject({ servers: ['nats://env:4222'], json: false });
    expect(parseCliArgs(['plan', 'x.js'], {})).toMatchObject({ servers: [DEFAULT_SERVER], timeoutMs: DEFAULT_TIMEOUT_MS });
    expect(parseCliArgs(['plan', 'x.js', '-s', 'nats://flag:1'], { NATS_URL: 'nats://env:4222' })).toMatchObject({
      servers: ['nats://flag:1'],
    });
  });

  it('takes host:port without a scheme, tls:// and IPv6, and the longest timeout a timer can wait', () => {
    const parsed = parseCliArgs(['plan', 'x.js', '-s', 'h:4222,tls://u:p@h:4443,[::1]:4222', '--timeout', String(MAX_TIMEOUT_MS)], {});

    expect(parsed).toMatchObject({ servers: ['h:4222', 'tls://u:p@h:4443', '[::1]:4222'], timeoutMs: 2 ** 31 - 1 });
  });

  it('answers help for --help and -h', () => {
    expect(parseCliArgs(['--help'], {})).toEqual({ command: 'help' });
    expect(parseCliArgs(['plan', '-h'], {})).toEqual({ command: 'help' });
  });

  it.each([
    [[], /No command/],
    [['apply', 'x.js'], /Unknown command "apply"/],
    [['plan'], /needs the path of the module/],
    [['plan', 'a.js', 'b.js'], /one module path, got 2/],
    [['plan', 'x.js', '--srv'], /^unknown option --srv; known: --server\/-s, --module, --connection, --json, --timeout, --help\/-h\.$/],
    [['plan', 'x.js', '--module', ' '], /^--module needs a value\.$/],
    [['plan', 'x.js', '--connection'], /^--connection needs a value\.$/],
    [['plan', 'x.js', '-x'], /^unknown option -x; known: /],
    [['plan', 'x.js', '--server'], /^--server needs a value\.$/],
    [['plan', 'x.js', '--json=yes'], /^--json takes no value\.$/],
    [['plan', 'x.js', '--timeout=-5'], /--timeout must be a positive whole number/],
    [['plan', 'x.js', '--timeout', 'soon'], /--timeout must be a positive whole number/],
    [['plan', 'x.js', '--timeout', '1.5'], /--timeout must be a positive whole number/],
    [['plan', 'x.js', '--timeout', '0'], /--timeout must be a positive whole number/],
    [
      ['plan', 'x.js', '--timeout', '3000000000'],
      /^--timeout must be a positive whole number of milliseconds up to 2147483647, got "3000000000"\.$/,
    ],
    [['plan', 'x.js', '--server', ' , '], /--server names no server/],
    [
      ['plan', 'x.js', '-s', 'http://x:y'],
      /^--server: "http:\/\/x:y" is not a NATS server URL \(scheme http:\/\/ is not nats:\/\/ or tls:\/\/\)/,
    ],
    [['plan', 'x.js', '-s', 'nats://a:4222,nats://x:y'], /"nats:\/\/x:y" is not a NATS server URL \(not a host and port\)/],
    [['plan', 'x.js', '-s', 'nats://h:99999'], /not a host and port/],
    [['plan', 'x.js', '-s', 'nats://h:4222/path'], /a path, query or fragment is not allowed/],
  ])('refuses %j with a CliUsageError', (argv, message) => {
    expect(() => parseCliArgs(argv, {})).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv, {})).toThrow(message);
  });

  it('names NATS_URL when the bad address came from it, and never prints credentials', () => {
    expect(() => parseCliArgs(['plan', 'x.js'], { NATS_URL: 'nats://user:secret@x:y' })).toThrow(
      /^NATS_URL: "nats:\/\/\*\*\*@x:y" is not a NATS server URL/,
    );
    expect(() => parseCliArgs(['plan', 'x.js', '-s', 'user:secret@x:y'], {})).toThrow(/"\*\*\*@x:y"/);
  });

  it.each([
    ['a slash', 'S3CRET1/S3CRET2'],
    ['a comma', 'S3CRET,tail'],
    ['a space', 'S3CRETx S3CRETy'],
    ['an @ and a hash', 'S3C@R#T'],
  ])('keeps a password with %s whole in a list, and shows none of it when an address is wrong', (_label, password) => {
    const list = `nats://alice:${password}@h1:4222,nats://bob:${password}@h2:4222`;

    expect(parseCliArgs(['plan', 'x.js', '-s', list], {})).toMatchObject({
      servers: [`nats://alice:${password}@h1:4222`, `nats://bob:${password}@h2:4222`],
    });
    for (const bad of [`nats://alice:${password}@h1:99999`, `alice:${password}@h1:x,h2:4222`, `nats://alice:${password}@h1:4222/x`]) {
      const error = (() => {
        try {
          parseCliArgs(['plan', 'x.js'], { NATS_URL: bad });
        } catch (err) {
          return err as Error;
        }
        throw new Error(`${bad} was accepted`);
      })();
      expect(error).toBeInstanceOf(CliUsageError);
      expect(error.message).toContain('***@h1');
      expect(error.message).not.toContain('S3C');
      expect(error.message).not.toContain('alice');
    }
  });
});
