import { redactServer } from './connection/redact.js';
import { serverAddressProblem } from './connection/server-address.js';
import { checkStreamDefaults } from './declaration/stream-config.js';
import { InvalidOptionsError } from './errors/invalid-options.error.js';
import { InvalidStreamConfigError } from './errors/invalid-stream-config.error.js';
import { isRecord, MAX_TIMER_MS } from './checks/values.js';
import { DEFAULT_CONNECTION } from './streams.constants.js';
import type { StreamsModuleExtras } from './streams.module-definition.js';
import type { NatsConnectionOptions, StreamsModuleOptions } from './streams.options.js';

type Check = (value: unknown, path: string) => void;

const integer =
  (min: number, max: number): Check =>
  (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidOptionsError(path, value, `must be a whole number from ${min} to ${max}`);
    }
  };
const ms = (min: number): Check => integer(min, MAX_TIMER_MS);
const oneOf =
  (...allowed: string[]): Check =>
  (value, path) => {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      throw new InvalidOptionsError(path, value, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
    }
  };
const boolean: Check = (value, path) => {
  if (typeof value !== 'boolean') throw new InvalidOptionsError(path, value, 'must be true or false');
};
const fraction: Check = (value, path) => {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new InvalidOptionsError(path, value, 'must be a number above 0 and at most 1');
  }
};
const array: Check = (value, path) => {
  if (!Array.isArray(value)) throw new InvalidOptionsError(path, value, 'must be an array');
};
const record: Check = (value, path) => {
  if (!isRecord(value)) throw new InvalidOptionsError(path, value, 'must be an object');
};
/** An object whose wrong value may be a secret (a PEM string given as `tls`): never repeated. */
const secretRecord: Check = (value, path) => {
  if (!isRecord(value)) throw new InvalidOptionsError(path, value, 'must be an object', { secret: true });
};
const SERVERS_ALLOWED = "must be a server URL such as 'nats://127.0.0.1:4222', or a non-empty list of them";
/**
 * One server URL or a list. An address is shown with its credentials redacted; anything else that
 * is wrong (a number, an object, an empty list) only by its kind.
 */
const servers: Check = (value, path) => {
  if (typeof value !== 'string' && !(Array.isArray(value) && value.length > 0)) {
    throw new InvalidOptionsError(path, value, SERVERS_ALLOWED, { secret: true });
  }
  const list: unknown[] = Array.isArray(value) ? value : [value];
  list.forEach((server, i) => {
    const at = Array.isArray(value) ? `${path}[${i}]` : path;
    if (typeof server !== 'string') throw new InvalidOptionsError(at, server, SERVERS_ALLOWED, { secret: true });
    if (server.trim() === '') throw new InvalidOptionsError(at, server, SERVERS_ALLOWED);
    const problem = serverAddressProblem(server);
    if (problem) {
      throw new InvalidOptionsError(
        at,
        redactServer(server),
        `is not a NATS server URL (${problem}): give nats://host:port or tls://host:port, credentials before an @`,
      );
    }
  });
};
/** A subject token: no whitespace, control characters (C0 and DEL), separators or wildcards. */
const isToken = (value: string): boolean =>
  value !== '' && !/[\s.*>]/.test(value) && [...value].every((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f);
const token: Check = (value, path) => {
  if (typeof value !== 'string' || !isToken(value)) {
    throw new InvalidOptionsError(path, value, "must be one subject token (no spaces, control characters, '.', '*' or '>')");
  }
};
const prefix: Check = (value, path) => {
  if (typeof value !== 'string' || !value.split('.').every(isToken)) {
    throw new InvalidOptionsError(
      path,
      value,
      "must be a subject prefix such as '$JS.hub.API': tokens separated by single dots, without spaces, control characters, '*' or '>'",
    );
  }
};
/** A fleet group: one key token of the library's bucket. */
const fleetGroup: Check = (value, path) => {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
    throw new InvalidOptionsError(path, value, "must be 1 to 64 letters, digits, '-' or '_', e.g. 'orders-api'");
  }
};
const func: Check = (value, path) => {
  if (typeof value !== 'function') throw new InvalidOptionsError(path, value, 'must be a function');
};
const string: Check = (value, path) => {
  if (typeof value !== 'string') throw new InvalidOptionsError(path, value, 'must be a string');
};
/** A password or token: a string, and never repeated in the error. */
const secret: Check = (value, path) => {
  if (typeof value !== 'string') throw new InvalidOptionsError(path, value, 'must be a string', { secret: true });
};
/** A function whose wrong value may be a secret (an nkey seed given as `authenticator`): never repeated. */
const secretFunction: Check = (value, path) => {
  if (typeof value !== 'function') throw new InvalidOptionsError(path, value, 'must be a function', { secret: true });
};
const nested =
  (fields: Record<string, Check>): Check =>
  (value, path) => {
    record(value, path);
    checkFields(value as Record<string, unknown>, fields, `${path}.`);
  };

/**
 * Every option of the `nats` client this library passes on, checked by type and range. The list
 * is closed, as the option type is (a key outside it is a typo the client would ignore): the
 * compiler keeps it in step with the client's `ConnectionOptions`.
 */
const CONNECTION: Record<keyof NatsConnectionOptions, Check> = {
  servers,
  authenticator: (value, path) =>
    Array.isArray(value) ? value.forEach((a, i) => secretFunction(a, `${path}[${i}]`)) : secretFunction(value, path),
  debug: boolean,
  maxPingOut: integer(1, Number.MAX_SAFE_INTEGER),
  maxReconnectAttempts: integer(-1, Number.MAX_SAFE_INTEGER),
  name: string,
  noEcho: boolean,
  noRandomize: boolean,
  pass: secret,
  pedantic: boolean,
  pingInterval: ms(1),
  reconnect: boolean,
  reconnectDelayHandler: func,
  reconnectJitter: ms(0),
  reconnectJitterTLS: ms(0),
  reconnectTimeWait: ms(0),
  timeout: ms(1),
  // Runtime-specific TLS settings the client hands to Node.js: an object, or null for "no TLS".
  tls: (value, path) => value === null || secretRecord(value, path),
  token: secret,
  user: string,
  verbose: boolean,
  ignoreClusterUpdates: boolean,
  inboxPrefix: prefix,
  ignoreAuthErrorAbort: boolean,
  noAsyncTraces: boolean,
  resolve: boolean,
};

/** The options of `forRoot` beside the module options: they shape the module. */
const EXTRAS: Record<keyof StreamsModuleExtras, Check> = {
  isGlobal: boolean,
  name: (value) => void connectionName(value),
};

/**
 * The connection a `forRoot` / `forRootAsync` `name` or a `forFeature` `connection` names: the
 * default one when undefined.
 * @throws InvalidOptionsError (option `name`) when it is not letters, digits, `-` and `_`
 */
export function connectionName(name: unknown): string {
  if (name === undefined) return DEFAULT_CONNECTION;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new InvalidOptionsError('name', name, 'must be a connection name of letters, digits, - and _');
  }
  return name;
}

/** Every module option and how it is checked; the keys double as the list of known options. */
const OPTIONS: Record<keyof StreamsModuleOptions, Check> = {
  connection: (value, path) => {
    // An environment URL passed as the whole connection carries its credentials.
    secretRecord(value, path);
    servers((value as Record<string, unknown>).servers, `${path}.servers`);
    checkFields(value as Record<string, unknown>, CONNECTION, `${path}.`);
  },
  startup: nested({ wait: boolean, timeoutMs: ms(1), retryIntervalMs: ms(1), streamsTimeoutMs: ms(1) }),
  drainTimeoutMs: ms(1),
  requestTimeoutMs: ms(1),
  operationTimeoutMs: ms(1),
  concurrency: integer(1, 1_000),
  streams: array,
  buckets: array,
  objectStores: array,
  streamDefaults: (value, path) => {
    record(value, path);
    try {
      checkStreamDefaults(value);
    } catch (err) {
      if (!(err instanceof InvalidStreamConfigError)) throw err;
      if (err.field === 'streamDefaults') throw new InvalidOptionsError(path, value, err.reason);
      const key = err.field.split(/[.[]/)[0];
      throw new InvalidOptionsError(`${path}.${err.field}`, (value as Record<string, unknown>)[key], err.reason);
    }
  },
  onStartupError: oneOf('fail', 'warn'),
  cacheTtlMs: ms(0),
  monitorIntervalMs: ms(100),
  consumerReadsPerTick: integer(0, 1_000_000),
  health: nested({
    usageThreshold: fraction,
    degradedReplicas: oneOf('up', 'down'),
    rttTimeoutMs: ms(1),
    timeoutMs: ms(1),
    drift: oneOf('down', 'warn'),
    details: oneOf('compact', 'full'),
    consumerLag: integer(0, Number.MAX_SAFE_INTEGER),
    consumerAckPending: integer(0, Number.MAX_SAFE_INTEGER),
  }),
  reconcile: nested({ onDrift: oneOf('report', 'repair'), maxRepairs: integer(1, 1_000), repairWindowMs: ms(1) }),
  fleet: (value, path) => {
    nested({ group: fleetGroup, leaseMs: integer(1_000, MAX_TIMER_MS), staleAfterMs: ms(100) })(value, path);
    if ((value as { group?: unknown }).group === undefined) {
      throw new InvalidOptionsError(`${path}.group`, undefined, "is required: the group's name, e.g. 'orders-api'");
    }
  },
  jetstream: (value, path) => {
    nested({ domain: token, apiPrefix: prefix })(value, path);
    const { domain, apiPrefix } = value as { domain?: unknown; apiPrefix?: unknown };
    if (domain !== undefined && apiPrefix !== undefined) {
      throw new InvalidOptionsError(`${path}.apiPrefix`, apiPrefix, 'cannot be combined with jetstream.domain; give one of the two');
    }
  },
};

/**
 * Checks every module option before anything starts: types, ranges (timers at most 2^31-1 ms,
 * which Node.js can wait), enums (exact spelling), and unknown keys, in `connection` too. Only
 * own properties count. With `extras` (what `forRoot` takes), `isGlobal` and `name` are checked
 * beside them; without (what a `forRootAsync` factory returns), they are refused as misplaced.
 * @throws InvalidOptionsError naming the option, the value given and what is allowed
 */
export function validateOptions(options: StreamsModuleOptions, extras: 'extras' | 'no-extras' = 'no-extras'): void {
  if (!isRecord(options)) {
    throw new InvalidOptionsError('(options)', options, 'must be an object with at least `connection`', { secret: true });
  }
  if (options.connection === undefined) {
    throw new InvalidOptionsError('connection', undefined, "is required: { servers: 'nats://127.0.0.1:4222' }");
  }
  if (extras === 'no-extras') {
    const misplaced = Object.keys(EXTRAS).find((key) => Object.hasOwn(options, key));
    if (misplaced) {
      const value = (options as unknown as Record<string, unknown>)[misplaced];
      throw new InvalidOptionsError(misplaced, value, 'belongs to forRootAsync({ ... }) itself, not to the options its factory returns');
    }
  }
  checkFields(options as unknown as Record<string, unknown>, extras === 'extras' ? { ...OPTIONS, ...EXTRAS } : OPTIONS, '');
}

/**
 * Checks the `forRootAsync` call's own options: an object, `isGlobal` a boolean and `name` a
 * connection name. (What its factory returns is checked when the app starts, before connecting.)
 * @throws InvalidOptionsError naming the option, the value given and what is allowed
 */
export function validateAsyncExtras(options: unknown): void {
  if (!isRecord(options)) {
    throw new InvalidOptionsError(
      '(options)',
      options,
      'must be an object: { useFactory, inject?, imports? }, { useClass } or { useExisting }',
    );
  }
  for (const key of Object.keys(EXTRAS) as Array<keyof StreamsModuleExtras>) {
    if (options[key] !== undefined) EXTRAS[key](options[key], key);
  }
}

function checkFields(object: Record<string, unknown>, fields: Record<string, Check>, prefix: string): void {
  for (const key of Object.keys(object)) {
    const check = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (!check) {
      // A misspelt `passwd`, or a `token` put beside `connection`, holds a secret: not repeated.
      throw new InvalidOptionsError(`${prefix}${key}`, object[key], `is not an option; known: ${Object.keys(fields).join(', ')}`, {
        secret: true,
      });
    }
    const value = object[key];
    if (value !== undefined) check(value, `${prefix}${key}`);
  }
}
