import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeclarationsModuleError } from './declarations-module.error.js';
import { loadDeclarations, pickDeclarations } from './load-declarations.js';

const orders = { name: 'orders', subjects: ['orders.>'] };

describe('pickDeclarations', () => {
  it('takes the named exports streams, buckets, streamDefaults and jetstream', () => {
    const named = {
      streams: [orders],
      buckets: [{ bucket: 'sessions' }],
      streamDefaults: { max_age: '1d' },
      jetstream: { domain: 'hub' },
      other: 1,
    };

    expect(pickDeclarations('/m.js', named)).toEqual({
      streams: [orders],
      buckets: [{ bucket: 'sessions' }],
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
      streamDefaults: undefined,
      jetstream: { domain: 'hub' },
    });
  });

  it('takes buckets alone, with no streams', () => {
    expect(pickDeclarations('/m.js', { buckets: [{ bucket: 'b' }] })).toMatchObject({ streams: [], buckets: [{ bucket: 'b' }] });
    expect(pickDeclarations('/m.js', { default: { streams: [orders] } })).toMatchObject({ buckets: [] });
  });

  it.each([
    [{ other: 1 }, /exports no `streams` or `buckets`/],
    [{ default: 'text' }, /exports no `streams`/],
    [{ streams: 'orders' }, /exports `streams` of type string/],
    [{ streams: [orders], streamDefaults: [] }, /`streamDefaults` of type array/],
    [{ streams: [orders], buckets: { sessions: {} } }, /`buckets` of type object; it must be an array/],
    [{ streams: [orders], jetstream: 'hub' }, /`jetstream` of type string; it must be an object such as \{ domain: 'hub' \}/],
    [
      { default: { streams: [orders], streamDefault: { max_age: '1d' } } },
      /default export with `streamDefault`, which is not a StreamsModule option; the plan reads streams, buckets, streamDefaults, jetstream/,
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
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads .mjs and .cjs modules relative to the working directory', async () => {
    await expect(loadDeclarations('esm.mjs', dir)).resolves.toEqual({
      streams: [orders],
      buckets: [],
      streamDefaults: undefined,
      jetstream: undefined,
    });
    await expect(loadDeclarations('./common.cjs', dir)).resolves.toEqual({
      streams: [orders],
      buckets: [],
      streamDefaults: { max_msgs: 5 },
      jetstream: undefined,
    });
  });

  it.each([
    ['missing.js', /does not exist/],
    ['decl.ts', /is not a JavaScript module/],
    ['broken.mjs', /could not be loaded: boom at load/],
  ])('refuses %s with a DeclarationsModuleError', async (file, message) => {
    const loading = loadDeclarations(file, dir);
    await expect(loading).rejects.toThrow(DeclarationsModuleError);
    await expect(loadDeclarations(file, dir)).rejects.toThrow(message);
  });
});
