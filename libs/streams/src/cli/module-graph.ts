import type { DynamicModule, Type } from '@nestjs/common';
import { GLOBAL_MODULE_METADATA, MODULE_METADATA, PARAMTYPES_METADATA, SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants.js';
import { moduleMark, type StreamsModuleMark } from '../streams-module-mark.js';

/** A module as `@Module({ imports })` takes one, once resolved: a class or a dynamic module. */
export type ModuleNode = Type | DynamicModule;

/** What the plan command needs of an app's module graph. */
export interface ModuleGraph {
  /** What each `StreamsModule.forRoot`, `forRootAsync` and `forFeature` module registers, in import order. */
  marks: StreamsModuleMark[];
  /** The global modules (other than the library's own), which may provide what a `forRootAsync` factory injects. */
  globals: ModuleNode[];
}

/**
 * Walks the imports of `root` the way Nest's scanner does, without creating anything: module
 * classes (their `@Module` imports), dynamic modules (their class's imports and their own),
 * promises of dynamic modules, and forward references. The library's modules are read from
 * their marks and not entered.
 */
export async function walkModules(root: unknown): Promise<ModuleGraph> {
  const graph: ModuleGraph = { marks: [], globals: [] };
  const seen = new Set<unknown>();
  const visit = async (entry: unknown): Promise<void> => {
    const node = await resolved(entry);
    // undefined: an import cycle between files, which Nest refuses at start-up; nothing to read here.
    if (node === undefined || node === null || seen.has(node)) return;
    seen.add(node);
    const mark = moduleMark(node);
    if (mark) {
      graph.marks.push(mark);
      return;
    }
    if (typeof node === 'function') {
      if (Reflect.getMetadata(GLOBAL_MODULE_METADATA, node)) graph.globals.push(node as Type);
      for (const imported of metadata(node as Type, MODULE_METADATA.IMPORTS)) await visit(imported);
      return;
    }
    if (typeof node !== 'object' || typeof (node as { module?: unknown }).module !== 'function') return;
    const dynamic = node as DynamicModule;
    if (dynamic.global || Reflect.getMetadata(GLOBAL_MODULE_METADATA, dynamic.module)) graph.globals.push(dynamic);
    await visit(dynamic.module as Type);
    for (const imported of dynamic.imports ?? []) await visit(imported);
  };
  await visit(root);
  return graph;
}

/** Whether `node`, or a module it exports, provides `token`. */
export function moduleProvides(node: ModuleNode, token: unknown, depth = 0): boolean {
  if (depth > 8) return false;
  const [providers, exported] =
    typeof node === 'function'
      ? [metadata(node, MODULE_METADATA.PROVIDERS), metadata(node, MODULE_METADATA.EXPORTS)]
      : [
          [...metadata(node.module, MODULE_METADATA.PROVIDERS), ...(node.providers ?? [])],
          [...metadata(node.module, MODULE_METADATA.EXPORTS), ...(node.exports ?? [])],
        ];
  if (providers.some((provider) => provider === token || (provider as { provide?: unknown } | null)?.provide === token)) return true;
  return exported.some((entry) => isModule(entry) && moduleProvides(entry, token, depth + 1));
}

/** The tokens the providers inject: a factory's `inject`, a class's constructor parameters, an alias's target. */
export function injectedTokens(providers: readonly unknown[]): unknown[] {
  return providers.flatMap((provider) => {
    const p = provider as { inject?: unknown[]; useClass?: Type; useExisting?: unknown };
    if (p.inject) return p.inject.map((entry) => (entry as { token?: unknown } | null)?.token ?? entry);
    if (p.useClass) return constructorDependencies(p.useClass);
    return p.useExisting !== undefined ? [p.useExisting] : [];
  });
}

function constructorDependencies(type: Type): unknown[] {
  const types = (Reflect.getMetadata(PARAMTYPES_METADATA, type) as unknown[] | undefined) ?? [];
  const declared = (Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, type) as Array<{ index: number; param: unknown }> | undefined) ?? [];
  return types.map((parameter, index) => declared.find((d) => d.index === index)?.param ?? parameter);
}

async function resolved(entry: unknown): Promise<unknown> {
  let node = await entry;
  const forward = (node as { forwardRef?: unknown } | null)?.forwardRef;
  if (typeof forward === 'function') node = await (forward as () => unknown)();
  return node;
}

function metadata(type: Type, key: string): unknown[] {
  return (Reflect.getMetadata(key, type) as unknown[] | undefined) ?? [];
}

function isModule(entry: unknown): entry is ModuleNode {
  if (typeof entry === 'function') return Reflect.getMetadataKeys(entry).some((key) => Object.values(MODULE_METADATA).includes(key));
  return typeof entry === 'object' && entry !== null && typeof (entry as { module?: unknown }).module === 'function';
}

/** Whether `value` is a Nest module class: a class with `@Module` metadata. */
export function isModuleClass(value: unknown): value is Type {
  return typeof value === 'function' && isModule(value);
}
