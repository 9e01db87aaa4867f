import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StreamConfigInput, StreamDeclarations } from '../index.js';
import { DeclarationsModuleError } from './declarations-module.error.js';

/** What the `plan` command checks: the declared streams and the defaults they start from. */
export interface LoadedDeclarations {
  streams: StreamDeclarations;
  streamDefaults?: StreamConfigInput;
}

const SHAPE_HINT =
  'export `streams` (an array of stream declarations or a record keyed by name) and optionally `streamDefaults`, ' +
  'or a default export { streams, streamDefaults } (for example your StreamsModule.forRoot options)';

/**
 * Imports the module at `file` (resolved against `cwd`; `.js`, `.cjs` or `.mjs`) and picks its
 * declarations with {@link pickDeclarations}.
 *
 * @throws {DeclarationsModuleError} when the file is missing, not JavaScript, fails to load or has the wrong shape.
 */
export async function loadDeclarations(file: string, cwd: string): Promise<LoadedDeclarations> {
  const path = resolve(cwd, file);
  if (!/\.[cm]?js$/.test(path)) {
    throw new DeclarationsModuleError(path, 'is not a JavaScript module (.js, .cjs or .mjs): point the plan command at your compiled declarations.');
  }
  if (!existsSync(path)) throw new DeclarationsModuleError(path, 'does not exist.');
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new DeclarationsModuleError(path, `could not be loaded: ${(err as Error).message}`, { cause: err });
  }
  return pickDeclarations(path, namespace);
}

/**
 * The declarations of a loaded module: its named exports `streams` / `streamDefaults` if it has
 * `streams`, else those of its default export (an ES default export, or a CommonJS
 * `module.exports`).
 *
 * @throws {DeclarationsModuleError} when neither has `streams`, or a value has the wrong type.
 */
export function pickDeclarations(path: string, namespace: Record<string, unknown>): LoadedDeclarations {
  for (const candidate of [namespace, namespace.default]) {
    if (!isObject(candidate) || !('streams' in candidate)) continue;
    const { streams, streamDefaults } = candidate;
    if (!Array.isArray(streams) && !isObject(streams)) {
      throw new DeclarationsModuleError(path, `exports \`streams\` of type ${typeOf(streams)}: ${SHAPE_HINT}.`);
    }
    if (streamDefaults !== undefined && !isObject(streamDefaults)) {
      throw new DeclarationsModuleError(path, `exports \`streamDefaults\` of type ${typeOf(streamDefaults)}; it must be an object of stream config fields.`);
    }
    return { streams: streams as StreamDeclarations, streamDefaults: streamDefaults as StreamConfigInput | undefined };
  }
  throw new DeclarationsModuleError(path, `exports no \`streams\`: ${SHAPE_HINT}.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
