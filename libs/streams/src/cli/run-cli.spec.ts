import { runCli } from './run-cli.js';

/** Runs the command with its output captured; only failures that come before any connection. */
async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out = { stdout: '', stderr: '' };
  const code = await runCli(argv, { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env, cwd: '/nonexistent-dir' });
  return { code, ...out };
}

describe('runCli failures before any request', () => {
  it('prints an unknown flag in its own words with the usage, exit 2, and nothing on stdout without --json', async () => {
    const result = await run(['plan', 'x.js', '--srv', 'nats://h:1']);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^nestjs-jetstream-streams: unknown option --srv; known: --server\/-s, --module, --connection, --json, --timeout, --help\/-h\.\n\nUsage:/,
    );
    expect(result.stderr).not.toContain('To specify a positional argument');
  });

  it.each([
    [['plan', 'x.js', '--json', '--srv'], 'CliUsageError', /^unknown option --srv/],
    [
      ['--json', 'plan', 'x.js', '--timeout', '3000000000'],
      'CliUsageError',
      /^--timeout must be a positive whole number of milliseconds up to 2147483647/,
    ],
    [['plan', '--json', 'x.js', '-s', 'http://x:y'], 'CliUsageError', /^--server: "http:\/\/x:y" is not a NATS server URL/],
  ])('with --json, %j prints { server: null, error } on stdout and exits 2', async (argv, name, message) => {
    const result = await run(argv);

    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout);
    expect(Object.keys(json)).toEqual(['server', 'error']);
    expect(json.server).toBeNull();
    expect(json.error.name).toBe(name);
    expect(json.error.message).toMatch(message);
  });

  it('reads --json after -- as a module path, not as the flag', async () => {
    const result = await run(['plan', '--srv', '--', '--json']);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('with --json, an unusable module prints { server, error } naming the server it would have asked', async () => {
    const result = await run(['plan', 'missing.mjs', '--json'], { NATS_URL: 'nats://user:pw@h:4222' });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/could not check the plan: .*missing\.mjs does not exist/);
    const json = JSON.parse(result.stdout);
    expect(json.server).toBe('nats://h:4222');
    expect(json.error).toMatchObject({ name: 'DeclarationsModuleError', reason: 'does not exist.' });
  });
});
