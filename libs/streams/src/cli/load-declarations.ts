import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BucketDeclaration, JetStreamTarget, ObjectStoreDeclaration, StreamConfigInput, StreamDeclarations } from '../index.js';
import { DEFAULT_CONNECTION } from '../streams.constants.js';
import { appModuleDeclarations, rootModuleOf } from './app-module-declarations.js';
import { DeclarationsModuleError } from './declarations-module.error.js';
import { defaultExports, isObject } from './module-exports.js';
import { withinTimeout } from './within-timeout.js';

/** What the `plan` command checks: the declared streams, buckets and object stores, the defaults they start from, and which JetStream holds them. */
export interface LoadedDeclarations {
  streams: StreamDeclarations;
  /** Key-value buckets, each planned as the stream `KV_<bucket>`. @default [] */
  buckets: BucketDeclaration[];
  /** Object stores, each planned as the stream `OBJ_<bucket>`. @default [] */
  objectStores: ObjectStoreDeclaration[];
  streamDefaults?: StreamConfigInput;
  /** The JetStream domain or API prefix the streams live in, as in `forRoot({ jetstream })`. */
  jetstream?: JetStreamTarget;
}

/** The members that change what is planned, or where. */
const PLANNED = ['streams', 'buckets', 'objectStores', 'streamDefaults', 'jetstream'];

/**
 * The other `StreamsModule.forRoot` options: they change how the app runs (its connection,
 * timeouts, health, monitoring), not what a plan finds, so a default export may carry them.
 */
const NOT_PLANNED = [
  'connection',
  'name',
  'isGlobal',
  'startup',
  'drainTimeoutMs',
  'requestTimeoutMs',
  'operationTimeoutMs',
  'concurrency',
  'onStartupError',
  'cacheTtlMs',
  'monitorIntervalMs',
  'health',
  'reconcile',
];

const SHAPE_HINT =
  'export `streams` (an array of stream declarations or a record keyed by name) and/or `buckets` and `objectStores`, optionally `streamDefaults` and `jetstream`, ' +
  'or a default export of that shape (for example your StreamsModule.forRoot options); or point the command at your app module';

/** Where the plan command finds what to plan. */
export interface DeclarationsSource {
  /** The compiled file, relative to the working directory. */
  file: string;
  /** `--module`: the export that is the app's root module class. */
  rootModule?: string;
  /** `--connection`: the connection of the app to plan. @default 'default' */
  connection?: string;
  /** The longest wait for the file to load and for a `forRootAsync` factory, in ms. */
  timeoutMs: number;
}

/**
 * Imports `source.file` (resolved against `cwd`; `.js`, `.cjs` or `.mjs`) and returns what it
 * declares: the declarations it exports ({@link pickDeclarations}), or, when it exports the app's
 * root module class, everything the app's module graph registers ({@link appModuleDeclarations}).
 *
 * @throws {DeclarationsModuleError} when the file is missing, not JavaScript, fails to load or to
 *   finish loading within the timeout (a top-level await that never settles), or has the wrong shape.
 */
export async function loadDeclarations(source: DeclarationsSource, cwd: string): Promise<LoadedDeclarations> {
  const path = resolve(cwd, source.file);
  const namespace = await importModule(path, source.timeoutMs);
  if (source.rootModule === undefined && declaresData(namespace)) return pickDeclarations(path, namespace);
  const root = rootModuleOf(path, namespace, source.rootModule);
  return appModuleDeclarations(path, root, source.connection ?? DEFAULT_CONNECTION, source.timeoutMs);
}

/** Imports the file, bounded by `timeoutMs`. */
async function importModule(path: string, timeoutMs: number): Promise<Record<string, unknown>> {
  if (!/\.[cm]?js$/.test(path)) {
    throw new DeclarationsModuleError(
      path,
      'is not a JavaScript module (.js, .cjs or .mjs): point the plan command at your compiled declarations or app module.',
    );
  }
  if (!existsSync(path)) throw new DeclarationsModuleError(path, 'does not exist.');
  let namespace: Record<string, unknown>;
  try {
    namespace = (await withinTimeout(
      import(pathToFileURL(path).href),
      timeoutMs,
      () =>
        `did not finish loading within ${timeoutMs} ms (--timeout): a top-level await that never settles, or a module that waits for something while it loads`,
    )) as Record<string, unknown>;
  } catch (err) {
    throw new DeclarationsModuleError(path, `could not be loaded: ${(err as Error).message}`, { cause: err });
  }
  return namespace;
}

/** Whether the module exports declarations (named, or as a default export), rather than an app module. */
function declaresData(namespace: Record<string, unknown>): boolean {
  return [namespace, ...defaultExports(namespace)].some((candidate) => isObject(candidate) && declaresAny(candidate));
}

/**
 * The declarations of a loaded module: its named exports `streams`, `buckets`, `objectStores`,
 * `streamDefaults` and `jetstream` if it has `streams`, `buckets` or `objectStores`, else those of its default export (an ES default
 * export, a CommonJS `module.exports`, or the `exports.default` tsc compiles `export default` to). A default export is taken as `forRoot` options: a key
 * that is not a module option is refused, since a misspelt `bucket` or `streamDefault` would
 * otherwise leave out of the plan what start-up applies.
 *
 * @throws {DeclarationsModuleError} when neither has `streams`, `buckets` or `objectStores`, a value has the wrong type, or a default export has an unknown key.
 */
export function pickDeclarations(path: string, namespace: Record<string, unknown>): LoadedDeclarations {
  for (const [candidate, isDefault] of [[namespace, false] as const, ...defaultExports(namespace).map((value) => [value, true] as const)]) {
    if (!isObject(candidate) || !declaresAny(candidate)) continue;
    if (isDefault) refuseUnknownKeys(path, candidate);
    const { streams = [], buckets = [], objectStores = [], streamDefaults, jetstream } = candidate;
    if (!Array.isArray(streams) && !isObject(streams)) {
      throw new DeclarationsModuleError(path, `exports \`streams\` of type ${typeOf(streams)}: ${SHAPE_HINT}.`);
    }
    if (!Array.isArray(buckets)) {
      throw new DeclarationsModuleError(
        path,
        `exports \`buckets\` of type ${typeOf(buckets)}; it must be an array of bucket declarations such as { bucket: 'sessions', history: 5 }.`,
      );
    }
    if (!Array.isArray(objectStores)) {
      throw new DeclarationsModuleError(
        path,
        `exports \`objectStores\` of type ${typeOf(objectStores)}; it must be an array of object store declarations such as { bucket: 'invoices', ttl: '30d' }.`,
      );
    }
    if (streamDefaults !== undefined && !isObject(streamDefaults)) {
      throw new DeclarationsModuleError(
        path,
        `exports \`streamDefaults\` of type ${typeOf(streamDefaults)}; it must be an object of stream config fields.`,
      );
    }
    if (jetstream !== undefined && !isObject(jetstream)) {
      throw new DeclarationsModuleError(
        path,
        `exports \`jetstream\` of type ${typeOf(jetstream)}; it must be an object such as { domain: 'hub' } or { apiPrefix: '$JS.hub.API' }.`,
      );
    }
    return {
      streams: streams as StreamDeclarations,
      buckets: buckets as BucketDeclaration[],
      objectStores: objectStores as ObjectStoreDeclaration[],
      streamDefaults: streamDefaults as StreamConfigInput | undefined,
      jetstream: jetstream as JetStreamTarget | undefined,
    };
  }
  throw new DeclarationsModuleError(path, `exports no \`streams\`, \`buckets\` or \`objectStores\`: ${SHAPE_HINT}.`);
}

/** Whether an exported object declares anything to plan. */
function declaresAny(candidate: object): boolean {
  return 'streams' in candidate || 'buckets' in candidate || 'objectStores' in candidate;
}

function refuseUnknownKeys(path: string, options: Record<string, unknown>): void {
  const unknown = Object.keys(options).filter((key) => !PLANNED.includes(key) && !NOT_PLANNED.includes(key));
  if (unknown.length > 0) {
    throw new DeclarationsModuleError(
      path,
      `exports a default export with ${unknown.map((k) => `\`${k}\``).join(', ')}, which ${unknown.length === 1 ? 'is not a' : 'are not'} StreamsModule option${unknown.length === 1 ? '' : 's'}; ` +
        `the plan reads ${PLANNED.join(', ')} and ignores ${NOT_PLANNED.join(', ')}.`,
    );
  }
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
