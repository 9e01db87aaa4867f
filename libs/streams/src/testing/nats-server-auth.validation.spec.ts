import { validateAuthSettings } from './nats-server-auth.validation.js';
import type { NatsAuthSettings } from './nats-server-auth.js';
import { InvalidNatsTestOptionsError } from './nats-test-options.error.js';

const app = { user: 'app', password: 'pw' };

function rejection(settings: unknown, jetstream = true): InvalidNatsTestOptionsError {
  try {
    validateAuthSettings(settings as NatsAuthSettings, jetstream);
  } catch (error) {
    if (error instanceof InvalidNatsTestOptionsError) {
      return error;
    }
    throw error;
  }
  throw new Error(`validateAuthSettings accepted ${JSON.stringify(settings)}`);
}

describe('validateAuthSettings', () => {
  it.each([
    [{ auth: { token: 't' }, accounts: { APP: { users: [app] } } }, 'auth'],
    [{ users: [app], accounts: { APP: { users: [] } } }, 'users'],
    [{ users: [app, { user: 'app', password: 'other' }] }, 'users'],
    [{ accounts: { 'A B': { users: [] } } }, 'accounts.A B'],
  ])('refuses the conflict %j, naming %s', (settings, option) => {
    expect(rejection(settings).option).toBe(option);
  });

  it('refuses account JetStream on a server without JetStream', () => {
    expect(rejection({ accounts: { APP: { jetstream: true, users: [] } } }, false).option).toBe('accounts.APP.jetstream');
  });

  it.each([
    [{ users: [] }, 'users', 'at least one user'],
    [{ users: [{ user: '', password: 'pw' }] }, 'users[0].user', 'got ""'],
    [{ users: [{ user: 'u' }] }, 'users[0].password', 'got undefined'],
    [{ users: [{ ...app, pasword: 'x' }] }, 'users[0]', '"pasword"'],
    [{ users: 'app' }, 'users', 'got "app"'],
    [{ auth: { token: '' } }, 'auth.token', 'got ""'],
    [{ auth: { token: 't', user: 'u' } }, 'auth', '"user"'],
    [{ auth: { user: 'u', password: '' } }, 'auth.password', 'got ""'],
    [{ auth: 'secret' }, 'auth', '{ user, password } or { token }'],
    [{ accounts: {} }, 'accounts', 'at least one account'],
    [{ accounts: { APP: { jetstream: 'yes', users: [] } } }, 'accounts.APP.jetstream', 'plain object'],
    [{ accounts: { APP: { jetstream: { maxFile: 'abc' }, users: [] } } }, 'accounts.APP.jetstream.maxFile', 'got "abc"'],
    [{ accounts: { APP: { users: [{ ...app, permissions: { publish: '>' } }] } } }, 'accounts.APP.users[0].permissions.publish', 'got ">"'],
    [{ users: [{ ...app, permissions: { subscribe: { allow: [''] } } }] }, 'users[0].permissions.subscribe.allow', 'an array'],
    [{ users: [{ ...app, permissions: { allowResponses: 'true' } }] }, 'users[0].permissions.allowResponses', 'got "true"'],
  ])('refuses the malformed %j before anything starts, naming %s', (settings, option, detail) => {
    const error = rejection(settings);

    expect(error.option).toBe(option);
    expect(error.message).toContain(detail);
  });

  it('accepts users with permissions, a token, and accounts with limits', () => {
    const permissions = { publish: ['$JS.API.>'], subscribe: { allow: ['>'], deny: ['$JS.EVENT.>'] }, allowResponses: true };

    expect(() => validateAuthSettings({ users: [{ ...app, permissions }] }, true)).not.toThrow();
    expect(() => validateAuthSettings({ auth: { token: 't' } }, true)).not.toThrow();
    expect(() =>
      validateAuthSettings({ accounts: { APP: { jetstream: { maxFile: 1024 }, users: [app] }, EMPTY: { users: [] } } }, true),
    ).not.toThrow();
  });
});
