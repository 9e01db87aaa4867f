import type { FactoryProvider, InjectionToken, Type } from '@nestjs/common';
import { PARAMTYPES_METADATA, SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants.js';
import { STREAMS_RESOLVED_OPTIONS } from './streams.constants.js';
import { StreamsRegistry } from './streams-registry.js';
import { connectionToken } from './streams.tokens.js';

/** The token of a connection's resolved options among its own providers. */
export const OPTIONS = 'options';

/**
 * The providers of one connection's services: each class is built by a factory under
 * `connectionToken(class, connection)`, with its constructor's dependencies (read as Nest reads
 * them: the emitted parameter types, or the token of an `@Inject`) taken from the same
 * connection's tokens, and `STREAMS_RESOLVED_OPTIONS` from its options. Nest still runs the
 * lifecycle hooks of factory-made instances, in the order of their dependencies.
 *
 * Why factories: were a connection to provide the classes themselves, Nest's lookup by class
 * (`app.get(StreamService)`) would find whichever connection registered last.
 *
 * @param types the classes to build
 * @param others the connection's other classes, which `types` may depend on (built here or
 *   provided otherwise, like the info cache); `StreamsRegistry` is the app's one registry: a
 *   dependency on any other class is a wiring error of the library, thrown here
 */
export function connectionProviders(types: readonly Type[], connection: string, others: readonly Type[] = []): FactoryProvider[] {
  const members = new Set<unknown>([...types, ...others]);
  const scoped = (type: Type, dependency: unknown, index: number): InjectionToken => {
    // The registry of every connection is one for the app.
    if (dependency === StreamsRegistry) return StreamsRegistry;
    if (dependency === STREAMS_RESOLVED_OPTIONS) return connectionToken(OPTIONS, connection);
    if (members.has(dependency)) return connectionToken(dependency as Type, connection);
    throw new Error(
      `nestjs-jetstream-streams: ${type.name}'s constructor parameter ${index} (${String((dependency as Type | undefined)?.name ?? dependency)}) ` +
        'is not a service of the connection; list it in StreamsCoreModule',
    );
  };
  return types.map((type) => ({
    provide: connectionToken(type, connection),
    useFactory: (...args: unknown[]) => new type(...args),
    inject: dependenciesOf(type).map((dependency, index) => scoped(type, dependency, index)),
  }));
}

/** The constructor dependencies of `type` as Nest resolves them (an `@Inject(token)` wins over the parameter's type). */
function dependenciesOf(type: Type): unknown[] {
  const types = (Reflect.getMetadata(PARAMTYPES_METADATA, type) as unknown[] | undefined) ?? [];
  const injected = (Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, type) as Array<{ index: number; param: unknown }> | undefined) ?? [];
  return types.map((parameter, index) => injected.find((declared) => declared.index === index)?.param ?? parameter);
}
