import { Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { BucketDeclaration, ObjectStoreDeclaration, StreamDeclaration, StreamsModuleOptions } from '../index.js';
import { STREAMS_MODULE_OPTIONS } from '../streams.module-definition.js';
import type { StreamsModuleMark } from '../streams-module-mark.js';
import { DEFAULT_CONNECTION } from '../streams.constants.js';
import { DeclarationsModuleError } from './declarations-module.error.js';
import type { LoadedDeclarations } from './load-declarations.js';
import { defaultExports, isObject } from './module-exports.js';
import { injectedTokens, isModuleClass, moduleProvides, walkModules, type ModuleGraph } from './module-graph.js';
import { withinTimeout } from './within-timeout.js';

type RootMark = Extract<StreamsModuleMark, { kind: 'root' }>;
type FeatureMark = Extract<StreamsModuleMark, { kind: 'feature' }>;

/**
 * The app's root module class among a loaded file's exports: the export named `name` (`--module`),
 * else the default export, else the file's only exported module class.
 *
 * @throws {DeclarationsModuleError} when there is no such class, or several candidates and no name
 */
export function rootModuleOf(path: string, namespace: Record<string, unknown>, name?: string): Type {
  if (name !== undefined) {
    // A CommonJS module whose exports Node cannot list has them on its default export only.
    const value = namespace[name] ?? (namespace.default as Record<string, unknown> | undefined)?.[name];
    if (typeof value !== 'function') {
      throw new DeclarationsModuleError(path, `exports no class named \`${name}\` (--module); its exports: ${exportNames(namespace)}.`);
    }
    return value as Type;
  }
  const byDefault = defaultExports(namespace).find(isModuleClass);
  if (byDefault) return byDefault;
  const classes = Object.keys(namespace).filter((key) => isModuleClass(namespace[key]));
  if (classes.length === 1) return namespace[classes[0]] as Type;
  throw new DeclarationsModuleError(
    path,
    classes.length === 0
      ? 'exports neither declarations (`streams`, `buckets` and/or `objectStores`, or a default export of your forRoot options) nor a Nest module class: ' +
          'point the command at your compiled app module (e.g. dist/app.module.js) or at a file exporting your declarations.'
      : `exports several module classes (${classes.join(', ')}): name the root one with --module <Name>.`,
  );
}

/**
 * What the app whose root module is `root` declares on `connection`: the streams, buckets and object stores of
 * its `forRoot` / `forRootAsync` (the async options made by running their factory, with the
 * modules it imports and the global modules that provide what it injects, and nothing else of the
 * app) and of every `forFeature` of that connection, with the root's `streamDefaults` and `jetstream`.
 *
 * @throws {DeclarationsModuleError} when the graph registers no such connection (or two), or its
 *   options cannot be made within `timeoutMs`
 */
export async function appModuleDeclarations(path: string, root: Type, connection: string, timeoutMs: number): Promise<LoadedDeclarations> {
  const graph = await withinTimeout(
    walkModules(root),
    timeoutMs,
    () => `its module graph did not resolve within ${timeoutMs} ms (--timeout)`,
  ).catch((err: Error) => {
    throw new DeclarationsModuleError(path, `could not be read: ${err.message}`, { cause: err });
  });
  const options = await rootOptions(path, graph, rootMark(path, root, graph, connection), timeoutMs);
  const features = graph.marks.filter((m): m is FeatureMark => m.kind === 'feature' && m.connection === connection);
  const declared = [
    { streams: options.streams ?? [], buckets: options.buckets ?? [], objectStores: options.objectStores ?? [] },
    ...features.map((f) => featureLists(f.declarations)),
  ];
  return {
    streams: declared.flatMap((d) => d.streams),
    buckets: declared.flatMap((d) => d.buckets),
    objectStores: declared.flatMap((d) => d.objectStores),
    streamDefaults: options.streamDefaults,
    jetstream: options.jetstream,
  };
}

function rootMark(path: string, root: Type, graph: ModuleGraph, connection: string): RootMark {
  const roots = graph.marks.filter((m): m is RootMark => m.kind === 'root');
  const mine = roots.filter((m) => m.connection === connection);
  if (mine.length === 1) return mine[0];
  const which = connection === DEFAULT_CONNECTION ? 'the default connection' : `connection '${connection}'`;
  if (mine.length > 1) {
    throw new DeclarationsModuleError(
      path,
      `registers ${which} twice in the module graph of ${root.name} (StreamsModule.forRoot/forRootAsync): the app would refuse to start.`,
    );
  }
  const known = roots.map((m) => `'${m.connection}'`).join(', ');
  throw new DeclarationsModuleError(
    path,
    roots.length === 0
      ? `has no StreamsModule.forRoot or forRootAsync in the module graph of ${root.name}.`
      : `has no StreamsModule.forRoot/forRootAsync for ${which} in the module graph of ${root.name} (its connections: ${known}); choose one with --connection <name>.`,
  );
}

/**
 * The options of a `forRoot` / `forRootAsync`, made by Nest from the module builder's providers in
 * a module of their own: what `forRootAsync` imports, and the app's global modules that provide
 * what its factory injects (e.g. `ConfigModule.forRoot({ isGlobal: true })`).
 */
async function rootOptions(path: string, graph: ModuleGraph, mark: RootMark, timeoutMs: number): Promise<StreamsModuleOptions> {
  const injected = injectedTokens(mark.optionProviders);
  const globals = graph.globals.filter((node) => injected.some((token) => moduleProvides(node, token)));
  @Module({})
  class PlanOptionsModule {}
  const made = (async () => {
    const context = await NestFactory.createApplicationContext(
      { module: PlanOptionsModule, imports: [...mark.imports, ...globals], providers: mark.optionProviders },
      { logger: false, abortOnError: false },
    );
    try {
      return context.get<StreamsModuleOptions>(STREAMS_MODULE_OPTIONS);
    } finally {
      await context.close();
    }
  })();
  const which = mark.connection === DEFAULT_CONNECTION ? '' : ` (connection '${mark.connection}')`;
  const options = await withinTimeout(made, timeoutMs, () => `did not return within ${timeoutMs} ms (--timeout)`).catch((err: Error) => {
    throw new DeclarationsModuleError(
      path,
      `could not give the options of its StreamsModule.forRootAsync${which} without starting the app: ${err.message}. ` +
        'Give its factory what it injects through forRootAsync({ imports }), or point the command at a file that exports the declarations.',
      { cause: err },
    );
  });
  if (!isObject(options)) {
    throw new DeclarationsModuleError(
      path,
      `has a StreamsModule.forRootAsync${which} whose factory returned ${options === null ? 'null' : typeof options}, not options.`,
    );
  }
  return options as StreamsModuleOptions;
}

/** The streams, buckets and object stores of one `forFeature` call, as `DeclaredStreams` reads them. */
function featureLists(declarations: FeatureMark['declarations']): {
  streams: StreamDeclaration[];
  buckets: BucketDeclaration[];
  objectStores: ObjectStoreDeclaration[];
} {
  if (Array.isArray(declarations)) return { streams: declarations, buckets: [], objectStores: [] };
  return { streams: declarations?.streams ?? [], buckets: declarations?.buckets ?? [], objectStores: declarations?.objectStores ?? [] };
}

function exportNames(namespace: Record<string, unknown>): string {
  return Object.keys(namespace).join(', ') || 'none';
}
