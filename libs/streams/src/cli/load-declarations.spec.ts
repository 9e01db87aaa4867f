import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeclarationsModuleError } from './declarations-module.error.js';
import { loadDeclarations, pickDeclarations } from './load-declarations.js';

const orders = { name: 'orders', subjects: ['orders.>'] };

describe('pickDeclarations', () => {
  it('takes the named exports streams, buckets, objectStores, streamDefaults and jetstream', () => {
    const named = {
      streams: [orders],
      buckets: [{ bucket: 'sessions' }],
      objectStores: [{ bucket: 'files', ttl: '1d' }],
      streamDefaults: { max_age: '1d' },
      jetstream: { domain: 'hub' },
      other: 1,
    };

    expect(pickDeclarations('/m.js', named)).toEqual({
      streams: [orders],
      buckets: [{ bucket: 'sessions' }],
      objectStores: [{ bucket: 'files', ttl: '1d' }],
      streamDefaults: { max_age: '1d' },
      jetstream: { domain: 'hub' },
    });
  });

  it('takes a default export (ES default or CommonJS module.exports) holding module options, buckets and domain included', () => {
    const options = {
      connection: { servers: 'nats://x:4222' },
      startup: { timeoutMs: 1 },
      health: {},
      streams: { orders: { subjects: ['orders.>'] } },
      buckets: [{ bucket: 'sessions', history: 5 }],
      jetstream: { domain: 'hub' },
    };

    expect(pickDeclarations('/m.cjs', { default: options })).toEqual({
      streams: options.streams,
      buckets: options.buckets,
      objectStores: [],
      streamDefaults: undefined,
      jetstream: { domain: 'hub' },
    });
  });

  it('takes buckets alone, with no streams', () => {
    expect(pickDeclarations('/m.js', { buckets: [{ bucket: 'b' }] })).toMatchObject({ streams: [], buckets: [{ bucket: 'b' }] });
    expect(pickDeclarations('/m.js', { default: { streams: [orders] } })).toMatchObject({ buckets: [], objectStores: [] });
    expect(pickDeclarations('/m.js', { objectStores: [{ bucket: 'o' }] })).toMatchObject({ streams: [], objectStores: [{ bucket: 'o' }] });
  });

  it.each([
    [{ other: 1 }, /exports no `streams`, `buckets` or `objectStores`/],
    [{ default: 'text' }, /exports no `streams`/],
    [{ streams: 'orders' }, /exports `streams` of type string/],
    [{ streams: [orders], streamDefaults: [] }, /`streamDefaults` of type array/],
    [{ streams: [orders], buckets: { sessions: {} } }, /`buckets` of type object; it must be an array/],
    [{ objectStores: { files: {} } }, /`objectStores` of type object; it must be an array of object store declarations/],
    [{ streams: [orders], jetstream: 'hub' }, /`jetstream` of type string; it must be an object such as \{ domain: 'hub' \}/],
    [
      { default: { streams: [orders], streamDefault: { max_age: '1d' } } },
      /default export with `streamDefault`, which is not a StreamsModule option; the plan reads streams, buckets, objectStores, streamDefaults, jetstream/,
    ],
    [{ default: { streams: [orders], bucket: [], domain: 'hub' } }, /`bucket`, `domain`, which are not StreamsModule options/],
  ])('refuses %j with a DeclarationsModuleError', (namespace, message) => {
    expect(() => pickDeclarations('/m.js', namespace)).toThrow(DeclarationsModuleError);
    expect(() => pickDeclarations('/m.js', namespace)).toThrow(message);
  });
});

describe('loadDeclarations', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'streams-cli-spec-'));
    writeFileSync(join(dir, 'esm.mjs'), `export const streams = ${JSON.stringify([orders])};`);
    writeFileSync(join(dir, 'common.cjs'), `module.exports = { streams: ${JSON.stringify([orders])}, streamDefaults: { max_msgs: 5 } };`);
    writeFileSync(join(dir, 'broken.mjs'), 'throw new Error("boom at load");');
    writeFileSync(join(dir, 'decl.ts'), 'export const streams = [];');
    // What tsc emits for `export default { streams }` in a CommonJS app.
    writeFileSync(
      join(dir, 'compiled.js'),
      `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = { streams: ${JSON.stringify([orders])} };\n`,
    );
    writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }');
    writeFileSync(join(dir, 'never.mjs'), 'await new Promise(() => {});\nexport const streams = [];');
    writeFileSync(join(dir, 'nothing.mjs'), 'export const answer = 42;');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (file: string, timeoutMs = 5_000) => loadDeclarations({ file, timeoutMs }, dir);

  it('loads .mjs and .cjs modules relative to the working directory', async () => {
    await expect(load('esm.mjs')).resolves.toEqual({
      streams: [orders],
      buckets: [],
      objectStores: [],
      streamDefaults: undefined,
      jetstream: undefined,
    });
    await expect(load('./common.cjs')).resolves.toEqual({
      streams: [orders],
      buckets: [],
      objectStores: [],
      streamDefaults: { max_msgs: 5 },
      jetstream: undefined,
    });
  });

  it.each([
    ['missing.js', /does not exist/],
    ['decl.ts', /is not a JavaScript module/],
    ['broken.mjs', /could not be loaded: boom at load/],
    ['nothing.mjs', /exports neither declarations .* nor a Nest module class/],
  ])('refuses %s with a DeclarationsModuleError', async (file, message) => {
    const loading = load(file);
    await expect(loading).rejects.toThrow(DeclarationsModuleError);
    await expect(load(file)).rejects.toThrow(message);
  });

  it('takes the exports.default that tsc compiles `export default { streams }` to in a CommonJS app', async () => {
    await expect(load('compiled.js')).resolves.toMatchObject({ streams: [orders], buckets: [] });
  });

  it('refuses a module whose top-level await never settles once the timeout has passed, instead of ending with nothing said', async () => {
    const error = await load('never.mjs', 300).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(DeclarationsModuleError);
    expect((error as Error).message).toMatch(
      /never\.mjs could not be loaded: did not finish loading within 300 ms \(--timeout\): a top-level await that never settles/,
    );
  });
});
