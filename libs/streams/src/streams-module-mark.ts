import type { DynamicModule, Provider } from '@nestjs/common';
import type { StreamDeclaration } from './declaration/stream-declaration.js';
import type { FeatureDeclarations } from './streams/declared-streams.js';

/**
 * What one `StreamsModule.forRoot`, `forRootAsync` or `forFeature` module registers, kept on the
 * module so that the plan command can read an app's declarations from its module graph without
 * starting the app.
 */
export type StreamsModuleMark =
  | {
      kind: 'root';
      connection: string;
      /** The options providers of the module builder: `forRoot`'s value, or `forRootAsync`'s factory, class or alias. */
      optionProviders: Provider[];
      /** The modules `forRootAsync` imports for its factory. */
      imports: NonNullable<DynamicModule['imports']>;
    }
  | { kind: 'feature'; connection: string; declarations: StreamDeclaration[] | FeatureDeclarations };

/** The key of the mark: a registered symbol, so that the ESM and the CommonJS build read each other's. */
const MARK = Symbol.for('nestjs-jetstream-streams:module-mark');

/** Marks `module` with what it registers; not enumerable, so Nest (which copies a dynamic module's enumerable keys) never sees it. */
export function markModule(module: DynamicModule, mark: StreamsModuleMark): DynamicModule {
  Object.defineProperty(module, MARK, { value: mark, enumerable: false });
  return module;
}

/** The mark of a module made by `StreamsModule`, or undefined for any other value. */
export function moduleMark(value: unknown): StreamsModuleMark | undefined {
  return typeof value === 'object' && value !== null
    ? ((value as Record<symbol, StreamsModuleMark | undefined>)[MARK] ?? undefined)
    : undefined;
}
