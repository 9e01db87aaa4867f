import { inspect } from 'node:util';
import { InvalidOptionsError } from './errors/invalid-options.error.js';
import { StreamsModule } from './streams.module.js';
import type { StreamsModuleOptions } from './streams.options.js';
import { validateOptions } from './validate-options.js';

const connection = { servers: 'nats://127.0.0.1:4222' };

describe('module options are validated at module creation', () => {
  it.each([
    ['startup.timeoutMs NaN', { startup: { timeoutMs: Number.NaN } }, 'startup.timeoutMs'],
    ['startup.timeoutMs from an env var (a string)', { startup: { timeoutMs: '3000' } }, 'startup.timeoutMs'],
    ['concurrency 0', { concurrency: 0 }, 'concurrency'],
    ['concurrency -1', { concurrency: -1 }, 'concurrency'],
    ['concurrency NaN', { concurrency: Number.NaN }, 'concurrency'],
    ['operationTimeoutMs 0', { operationTimeoutMs: 0 }, 'operationTimeoutMs'],
    ['requestTimeoutMs a string', { requestTimeoutMs: '5000' }, 'requestTimeoutMs'],
    ['requestTimeoutMs 3e9 (overflows a timer)', { requestTimeoutMs: 3e9 }, 'requestTimeoutMs'],
    ['monitorIntervalMs above 2^31-1', { monitorIntervalMs: 2 ** 31 }, 'monitorIntervalMs'],
    ['onStartupError misspelt', { onStartupError: 'Fail' }, 'onStartupError'],
    ['health.usageThreshold above 1', { health: { usageThreshold: 90 } }, 'health.usageThreshold'],
    ['health.drift unknown', { health: { drift: 'ignore' } }, 'health.drift'],
    ['streams not an array', { streams: { name: 'x' } }, 'streams'],
    ['an unknown option', { cacheTTL: 5 }, 'cacheTTL'],
    ['servers empty', { connection: { servers: '' } }, 'connection.servers'],
    ['servers an empty list', { connection: { servers: [] } }, 'connection.servers'],
    ['a domain and an api prefix', { jetstream: { domain: 'hub', apiPrefix: '$JS.x.API' } }, 'jetstream.apiPrefix'],
    ['a domain with a dot', { jetstream: { domain: 'a.b' } }, 'jetstream.domain'],
    ['streamDefaults.max_age not a duration', { streamDefaults: { max_age: '1x' } }, 'streamDefaults.max_age'],
    ['streamDefaults with subjects', { streamDefaults: { subjects: ['a'] } }, 'streamDefaults.subjects'],
    ['streamDefaults a Date', { streamDefaults: new Date(0) }, 'streamDefaults'],
    ['streamDefaults.placement with a bad tag list', { streamDefaults: { placement: { tags: 'eu' } } }, 'streamDefaults.placement'],
  ])('refuses %s, naming the option, the value and what is allowed', (_label, bad, option) => {
    const options = { connection, ...bad } as unknown as StreamsModuleOptions;

    const error = (() => {
      try {
        StreamsModule.forRoot(options);
      } catch (err) {
        return err;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe(option);
    expect((error as Error).message).toMatch(new RegExp(`option ${option.replace(/\./g, '\\.')}: got .*; `));
  });

  it('refuses options without a connection', () => {
    expect(() => validateOptions({} as StreamsModuleOptions)).toThrow(InvalidOptionsError);
  });

  it('accepts forRoot extras (isGlobal, name) beside the options, and checks the name', () => {
    expect(() => StreamsModule.forRoot({ connection, isGlobal: true, name: 'eu' })).not.toThrow();
    expect(() => StreamsModule.forRoot({ connection, name: 'e u' })).toThrow(InvalidOptionsError);
  });
});

describe('reconcile options', () => {
  it.each([
    [{ onDrift: 'fix' }, 'reconcile.onDrift'],
    [{ maxRepairs: 0 }, 'reconcile.maxRepairs'],
    [{ repairWindowMs: 2 ** 31 }, 'reconcile.repairWindowMs'],
    [{ onDrfit: 'repair' }, 'reconcile.onDrfit'],
  ])('refuses %j naming %s', (reconcile, option) => {
    const act = () => validateOptions({ connection, reconcile } as StreamsModuleOptions);
    expect(act).toThrow(InvalidOptionsError);
    expect(act).toThrow(option);
  });
});

describe('fleet options', () => {
  it.each([
    [{}, 'fleet.group'],
    [{ group: '' }, 'fleet.group'],
    [{ group: 'orders.api' }, 'fleet.group'],
    [{ group: 'a'.repeat(65) }, 'fleet.group'],
    [{ group: 'g', leaseMs: 999 }, 'fleet.leaseMs'],
    [{ group: 'g', staleAfterMs: 2 ** 31 }, 'fleet.staleAfterMs'],
    [{ group: 'g', lease: 3_000 }, 'fleet.lease'],
    ['orders-api', 'fleet'],
  ])('refuses %j naming %s', (fleet, option) => {
    const act = () => validateOptions({ connection, fleet } as StreamsModuleOptions);
    expect(act).toThrow(InvalidOptionsError);
    expect(act).toThrow(option);
  });
});

describe('subject tokens of jetstream.domain and jetstream.apiPrefix', () => {
  it.each([
    [{ apiPrefix: '$JS..API' }, 'jetstream.apiPrefix'],
    [{ apiPrefix: '$JS.API..x' }, 'jetstream.apiPrefix'],
    [{ apiPrefix: '\u0000JS' }, 'jetstream.apiPrefix'],
    [{ apiPrefix: '$JS.\tAPI' }, 'jetstream.apiPrefix'],
    [{ apiPrefix: '.$JS.API' }, 'jetstream.apiPrefix'],
    [{ apiPrefix: '' }, 'jetstream.apiPrefix'],
    [{ domain: '\u0000' }, 'jetstream.domain'],
    [{ domain: 'hub\u007f' }, 'jetstream.domain'],
    [{ domain: '' }, 'jetstream.domain'],
  ])('refuses %j naming %s and what a token allows', (jetstream, option) => {
    const act = () => validateOptions({ connection, jetstream });
    expect(act).toThrow(InvalidOptionsError);
    expect(act).toThrow(new RegExp(`${option.replace('.', '\\.')}: .*control characters`));
  });

  it('accepts a prefix of several clean tokens', () => {
    expect(() => validateOptions({ connection, jetstream: { apiPrefix: '$JS.hub-1.API' } })).not.toThrow();
  });
});

describe('forRoot and forRootAsync themselves', () => {
  const thrown = (act: () => unknown): unknown => {
    try {
      act();
    } catch (err) {
      return err;
    }
    return undefined;
  };

  it.each([
    ['forRoot(null)', () => StreamsModule.forRoot(null as never), '(options)'],
    ['forRoot(undefined)', () => StreamsModule.forRoot(undefined as never), '(options)'],
    ['forRootAsync(null)', () => StreamsModule.forRootAsync(null as never), '(options)'],
    ["forRoot isGlobal 'no'", () => StreamsModule.forRoot({ connection, isGlobal: 'no' as never }), 'isGlobal'],
    ['forRootAsync isGlobal 1', () => StreamsModule.forRootAsync({ useFactory: () => ({ connection }), isGlobal: 1 as never }), 'isGlobal'],
    ['forRootAsync name with a space', () => StreamsModule.forRootAsync({ useFactory: () => ({ connection }), name: 'e u' }), 'name'],
  ])('%s is an InvalidOptionsError naming the option', (_label, act, option) => {
    const error = thrown(act);

    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe(option);
  });

  it('lists isGlobal and name among the known options of forRoot', () => {
    const error = thrown(() => StreamsModule.forRoot({ connection, global: true } as never)) as InvalidOptionsError;

    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.allowed).toMatch(/known: connection, .*, isGlobal, name$/);
  });

  it('refuses isGlobal inside what a forRootAsync factory returns, saying where it belongs', () => {
    const act = () => validateOptions({ connection, isGlobal: true } as never);
    expect(act).toThrow(InvalidOptionsError);
    expect(act).toThrow(/isGlobal: got true; belongs to forRootAsync/);
  });
});

describe('connection options passed to the nats client', () => {
  it.each([
    [{ reconnectTimeWait: 2 ** 31 }, 'connection.reconnectTimeWait'],
    [{ timeout: 2 ** 31 }, 'connection.timeout'],
    [{ timeout: 0 }, 'connection.timeout'],
    [{ pingInterval: Number.NaN }, 'connection.pingInterval'],
    [{ reconnectJitter: -1 }, 'connection.reconnectJitter'],
    [{ maxReconnectAttempts: 'forever' }, 'connection.maxReconnectAttempts'],
    [{ maxReconnectAttempts: -2 }, 'connection.maxReconnectAttempts'],
    [{ maxReconnectAttempts: 1.5 }, 'connection.maxReconnectAttempts'],
    [{ maxPingOut: 0 }, 'connection.maxPingOut'],
    [{ user: 42 }, 'connection.user'],
    [{ noEcho: 'yes' }, 'connection.noEcho'],
    [{ authenticator: 'abc' }, 'connection.authenticator'],
    [{ authenticator: [() => ({}), 'x'] }, 'connection.authenticator[1]'],
    [{ tls: 'on' }, 'connection.tls'],
    [{ inboxPrefix: '_INBOX..x' }, 'connection.inboxPrefix'],
    [{ port: 4222 }, 'connection.port'],
    [{ waitOnFirstConnect: true }, 'connection.waitOnFirstConnect'],
  ])('refuses %j naming %s', (bad, option) => {
    const act = () => validateOptions({ connection: { ...connection, ...bad } } as StreamsModuleOptions);
    expect(act).toThrow(InvalidOptionsError);
    expect(act).toThrow(`option ${option}: got`);
  });

  it('refuses a misspelt key without repeating its value (it may be a secret), listing the known ones', () => {
    const error = (() => {
      try {
        validateOptions({ connection: { ...connection, passwd: 'S3CRET' } } as StreamsModuleOptions);
      } catch (err) {
        return err as InvalidOptionsError;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error?.option).toBe('connection.passwd');
    expect(error?.message).not.toContain('S3CRET');
    expect(error?.value).not.toBe('S3CRET');
    expect(error?.allowed).toMatch(/known: servers, .*\buser\b/);
  });

  it.each([
    ['pass', { pass: 123_456_789 }],
    ['token', { token: 987_654_321 }],
  ])('never repeats a %s of the wrong type', (option, bad) => {
    const act = () => validateOptions({ connection: { ...connection, ...bad } } as unknown as StreamsModuleOptions);

    expect(act).toThrow(
      `Invalid StreamsModule option connection.${option}: got a number (not shown: it may hold a secret); must be a string`,
    );
  });

  const SECRET = 'S3CRET x/y,z';
  const SEED = 'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4';
  const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
  it.each([
    ['an env URL passed as connection', { connection: `nats://u:${SECRET}@h:4222` }, 'connection', 'a string'],
    ['a top-level token', { connection, token: SECRET }, 'token', 'a string'],
    ['a top-level pass', { connection, pass: SECRET }, 'pass', 'a string'],
    ['a misspelt passwd', { connection: { ...connection, passwd: SECRET } }, 'connection.passwd', 'a string'],
    ['an nkey seed as authenticator', { connection: { ...connection, authenticator: SEED } }, 'connection.authenticator', 'a string'],
    ['a PEM string as tls', { connection: { ...connection, tls: PEM } }, 'connection.tls', 'a string'],
    ['options that are a URL', `nats://u:${SECRET}@h:4222`, '(options)', 'a string'],
  ])('never repeats %s: the message names the option and the kind, value is ***', (_label, options, option, kind) => {
    const error = thrownBy(() => StreamsModule.forRoot(options as never));

    expect(error).toMatchObject({ option, value: '***' });
    expect(error.message).toContain(`option ${option}: got ${kind} (not shown: it may hold a secret)`);
    for (const text of [error.message, String(error.stack), JSON.stringify(error), inspect(error)]) {
      expect(text).not.toContain('S3CRET');
      expect(text).not.toContain(SEED.slice(0, 12));
      expect(text).not.toContain('MIIEvQ');
    }
  });

  it('says plainly that a secret-bearing option was not given (an unset environment variable)', () => {
    const error = thrownBy(() => StreamsModule.forRoot({ connection: { servers: process.env.NO_SUCH_NATS_URL_VARIABLE as string } }));

    expect(error).toMatchObject({ option: 'connection.servers', value: undefined });
    expect(error.message).toContain('option connection.servers: got undefined;');
  });

  it('shows a bad server of a list with its credentials redacted, naming its index', () => {
    const error = thrownBy(() => StreamsModule.forRoot({ connection: { servers: ['nats://h:4222', `nats://u:${SECRET}@h:99999`] } }));

    expect(error).toMatchObject({ option: 'connection.servers[1]', value: 'nats://***@h:99999' });
    expect(error.message).toContain("got 'nats://***@h:99999'; is not a NATS server URL (not a host and port)");
    expect(`${JSON.stringify(error)} ${inspect(error)}`).not.toContain('S3CRET');
  });

  it('shows servers of the wrong type by their kind only', () => {
    const error = thrownBy(() => StreamsModule.forRoot({ connection: { servers: [`nats://u:${SECRET}@h:4222`, 42] as never } }));

    expect(error).toMatchObject({ option: 'connection.servers[1]', value: '***' });
    expect(`${error.message} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain('S3CRET');
  });

  it('accepts every documented kind of value', () => {
    const options: StreamsModuleOptions = {
      connection: {
        ...connection,
        name: 'app',
        user: 'u',
        pass: 'p',
        maxReconnectAttempts: -1,
        reconnectTimeWait: 0,
        timeout: 2 ** 31 - 1,
        tls: null,
        authenticator: [() => ({ auth_token: 't' })],
        reconnectDelayHandler: () => 10,
        inboxPrefix: '_INBOX.app',
        noEcho: true,
      },
    };
    expect(() => validateOptions(options)).not.toThrow();
  });
});

function thrownBy(act: () => unknown): InvalidOptionsError {
  try {
    act();
  } catch (err) {
    return err as InvalidOptionsError;
  }
  throw new Error('nothing was thrown');
}
