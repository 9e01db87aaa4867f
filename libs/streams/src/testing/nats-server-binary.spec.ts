import { NatsServerBinaryNotFoundError, resolveNatsServerBinary } from './nats-server-binary.js';

describe('resolveNatsServerBinary', () => {
  it('tells a user of the package how to install nats-server when NATS_SERVER_BIN points nowhere', () => {
    const error = captureError(() => resolveNatsServerBinary({ NATS_SERVER_BIN: '/nonexistent/nats-server' }));

    expect(error).toBeInstanceOf(NatsServerBinaryNotFoundError);
    expect(error.searched).toEqual(['/nonexistent/nats-server']);
    expect(error.message).toContain('NATS_SERVER_BIN points to /nonexistent/nats-server');
    expect(error.message).toContain('apt-get install nats-server');
    expect(error.message).toContain('brew install nats-server');
    expect(error.message).toContain('https://github.com/nats-io/nats-server/releases');
    expect(error.message).toContain('NATS_SERVER_BIN=/path/to/nats-server');
    expect(error.message).not.toContain('npm run');
  });

  it('searches the per-project channels, then PATH, and lists every place it looked', () => {
    const cwd = process.cwd();
    process.chdir('/');
    try {
      const error = captureError(() => resolveNatsServerBinary({ PATH: '/nonexistent/a:/nonexistent/b' }));

      expect(error.searched).toEqual([
        '/.nats-server/unstable/nats-server',
        '/.nats-server/trixie/nats-server',
        '/.nats-server/bookworm/nats-server',
        '/nonexistent/a/nats-server',
        '/nonexistent/b/nats-server',
      ]);
      expect(error.message).toContain('  /nonexistent/b/nats-server');
      expect(error.message).toContain('apt-get install nats-server');
    } finally {
      process.chdir(cwd);
    }
  });

  it('lists a directory PATH names twice only once', () => {
    const cwd = process.cwd();
    process.chdir('/');
    try {
      const error = captureError(() =>
        resolveNatsServerBinary({ PATH: '/nonexistent/.bin:/nonexistent/cargo:/nonexistent/.bin/:/nonexistent/cargo' }),
      );

      expect(error.searched.filter((path) => path === '/nonexistent/.bin/nats-server')).toHaveLength(1);
      expect(error.searched.filter((path) => path === '/nonexistent/cargo/nats-server')).toHaveLength(1);
      expect(error.message.split('/nonexistent/.bin/nats-server')).toHaveLength(2);
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses an unknown channel, naming it', () => {
    expect(() => resolveNatsServerBinary({ NATS_SERVER_CHANNEL: 'nightly' })).toThrow(/'nightly'/);
  });
});

function captureError(run: () => unknown): NatsServerBinaryNotFoundError {
  try {
    run();
  } catch (error) {
    return error as NatsServerBinaryNotFoundError;
  }
  throw new Error('expected an error');
}
