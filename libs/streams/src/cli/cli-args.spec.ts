import { CliUsageError } from './cli-usage.error.js';
import { DEFAULT_SERVER, DEFAULT_TIMEOUT_MS, parseCliArgs } from './cli-args.js';

describe('parseCliArgs', () => {
  it('reads plan, the module path and every flag', () => {
    const parsed = parseCliArgs(['plan', 'dist/streams.js', '--server', 'nats://a:4222,nats://b:4222', '--json', '--timeout', '2500'], {});

    expect(parsed).toEqual({ command: 'plan', module: 'dist/streams.js', servers: ['nats://a:4222', 'nats://b:4222'], json: true, timeoutMs: 2500 });
  });

  it('takes the server from NATS_URL, then the default, and defaults the rest', () => {
    expect(parseCliArgs(['plan', 'x.js'], { NATS_URL: 'nats://env:4222' })).toMatchObject({ servers: ['nats://env:4222'], json: false });
    expect(parseCliArgs(['plan', 'x.js'], {})).toMatchObject({ servers: [DEFAULT_SERVER], timeoutMs: DEFAULT_TIMEOUT_MS });
    expect(parseCliArgs(['plan', 'x.js', '-s', 'nats://flag:1'], { NATS_URL: 'nats://env:4222' })).toMatchObject({ servers: ['nats://flag:1'] });
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
    [['plan', 'x.js', '--bogus'], /Unknown option '--bogus'/],
    [['plan', 'x.js', '--timeout=-5'], /--timeout must be a positive whole number/],
    [['plan', 'x.js', '--timeout', 'soon'], /--timeout must be a positive whole number/],
    [['plan', 'x.js', '--server', ' , '], /names no server/],
  ])('refuses %j with a CliUsageError', (argv, message) => {
    expect(() => parseCliArgs(argv, {})).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv, {})).toThrow(message);
  });
});
