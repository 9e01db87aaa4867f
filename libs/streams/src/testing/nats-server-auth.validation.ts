import type { NatsAuthSettings } from './nats-server-auth.js';
import { InvalidNatsTestOptionsError } from './nats-test-options.error.js';
import { byteSize, describeValue, flag, isPlainObject, plainObject, requiredString } from './nats-test-options.validation.js';

const ACCOUNT_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * @internal Refuses authentication settings the server would reject or silently misread: a
 * malformed `auth`, user or account (an empty user name, an empty token, `users: []` or
 * `accounts: {}`, which would start a server without authentication), `auth` beside
 * `users`/`accounts`, `users` beside `accounts` (a user outside every account would land in the
 * global account, which has no JetStream once accounts exist), a user name used twice, an
 * account name that is not a plain word, and account JetStream on a server without JetStream.
 */
export function validateAuthSettings(settings: NatsAuthSettings, jetstream: boolean): void {
  const { auth, users, accounts } = settings;
  validateAuthShape(auth);
  if (users !== undefined) {
    validateUsers('users', users);
  }
  validateAccountsShape(accounts);
  if (auth && (users || accounts)) {
    throw new InvalidNatsTestOptionsError('auth', 'cannot be combined with users or accounts; add the user there instead');
  }
  if (users && accounts) {
    throw new InvalidNatsTestOptionsError('users', 'cannot be combined with accounts; give each user an account');
  }
  const names = [...(users ?? []), ...Object.values(accounts ?? {}).flatMap((account) => account.users)].map((u) => u.user);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new InvalidNatsTestOptionsError('users', `the user name "${duplicate}" is used twice`);
  }
  for (const [name, account] of Object.entries(accounts ?? {})) {
    if (account.jetstream && !jetstream) {
      throw new InvalidNatsTestOptionsError(`accounts.${name}.jetstream`, 'needs a server with JetStream enabled');
    }
  }
}

function validateAuthShape(auth: unknown): void {
  if (auth === undefined) {
    return;
  }
  if (isPlainObject(auth) && 'token' in auth) {
    plainObject('auth', auth, ['token']);
    requiredString('auth.token', auth.token);
    return;
  }
  if (!isPlainObject(auth) || !('user' in auth)) {
    throw new InvalidNatsTestOptionsError('auth', `must be { user, password } or { token }, got ${describeValue(auth)}`);
  }
  validateUser('auth', auth, ['user', 'password']);
}

function validateUsers(option: string, users: unknown, allowEmpty = false): void {
  if (!Array.isArray(users)) {
    throw new InvalidNatsTestOptionsError(option, `must be an array of { user, password }, got ${describeValue(users)}`);
  }
  if (users.length === 0 && !allowEmpty) {
    throw new InvalidNatsTestOptionsError(option, 'must list at least one user; leave it out for a server without authentication');
  }
  users.forEach((user, index) => validateUser(`${option}[${index}]`, user, ['user', 'password', 'permissions']));
}

function validateUser(option: string, user: unknown, known: readonly string[]): void {
  const fields = plainObject(option, user, known);
  requiredString(`${option}.user`, fields.user);
  requiredString(`${option}.password`, fields.password);
  if (fields.permissions !== undefined) {
    validatePermissions(`${option}.permissions`, fields.permissions);
  }
}

function validatePermissions(option: string, value: unknown): void {
  const permissions = plainObject(option, value, ['publish', 'subscribe', 'allowResponses']);
  for (const direction of ['publish', 'subscribe'] as const) {
    const permission = permissions[direction];
    if (permission === undefined) {
      continue;
    }
    if (Array.isArray(permission)) {
      validateSubjects(`${option}.${direction}`, permission);
      continue;
    }
    const lists = plainObject(`${option}.${direction}`, permission, ['allow', 'deny']);
    for (const list of ['allow', 'deny'] as const) {
      if (lists[list] !== undefined) {
        validateSubjects(`${option}.${direction}.${list}`, lists[list]);
      }
    }
  }
  flag(`${option}.allowResponses`, permissions.allowResponses, false);
}

function validateSubjects(option: string, subjects: unknown): void {
  if (!Array.isArray(subjects) || subjects.some((subject) => typeof subject !== 'string' || subject.length === 0)) {
    throw new InvalidNatsTestOptionsError(option, `must be an array of non-empty subject strings, got ${describeValue(subjects)}`);
  }
}

function validateAccountsShape(accounts: unknown): void {
  if (accounts === undefined) {
    return;
  }
  if (!isPlainObject(accounts) || Object.keys(accounts).length === 0) {
    throw new InvalidNatsTestOptionsError('accounts', `must be a plain object with at least one account, got ${describeValue(accounts)}`);
  }
  for (const [name, value] of Object.entries(accounts)) {
    if (!ACCOUNT_NAME.test(name)) {
      throw new InvalidNatsTestOptionsError(`accounts.${name}`, 'an account name must be letters, digits, "_" or "-"');
    }
    const account = plainObject(`accounts.${name}`, value, ['jetstream', 'users']);
    validateUsers(`accounts.${name}.users`, account.users, true);
    const jetstream = account.jetstream;
    if (jetstream === undefined || typeof jetstream === 'boolean') {
      continue;
    }
    const limits = plainObject(`accounts.${name}.jetstream`, jetstream, ['maxFile', 'maxMemory']);
    byteSize(`accounts.${name}.jetstream.maxFile`, limits.maxFile);
    byteSize(`accounts.${name}.jetstream.maxMemory`, limits.maxMemory);
  }
}
