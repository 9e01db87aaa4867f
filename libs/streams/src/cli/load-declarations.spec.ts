import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeclarationsModuleError } from './declarations-module.error.js';
import { loadDeclarations, pickDeclarations } from './load-declarations.js';

const orders = { name: 'orders', subjects: ['orders.>'] };

describe('pickDeclarations', () => {
  it('takes the named exports streams and streamDefaults', () => {
    expect(pickDeclarations('/m.js', { streams: [orders], streamDefaults: { max_age: '1d' } })).toEqual({
      streams: [orders],
      streamDefaults: { max_age: '1d' },
    });
  });

  it('takes a default export (ES default or CommonJS module.exports) holding module options', () => {
    const options = { connection: { servers: 'nats://x:4222' }, streams: { orders: { subjects: ['orders.>'] } } };
    expect(pickDeclarations('/m.cjs', { default: options })).toEqual({ streams: options.streams, streamDefaults: undefined });
  });

  it.each([
    [{ other: 1 }, /exports no `streams`/],
    [{ default: 'text' }, /exports no `streams`/],
    [{ streams: 'orders' }, /exports `streams` of type string/],
    [{ streams: [orders], streamDefaults: [] }, /`streamDefaults` of type array/],
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
    await expect(loadDeclarations('esm.mjs', dir)).resolves.toEqual({ streams: [orders], streamDefaults: undefined });
    await expect(loadDeclarations('./common.cjs', dir)).resolves.toEqual({ streams: [orders], streamDefaults: { max_msgs: 5 } });
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
