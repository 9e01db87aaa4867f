import type { ServerStreamInfo } from '../server/server-stream.js';
import { holdSubject, migrationStreamName } from './migration-marker.js';
import type { MigrationRecord } from './migration-record.js';
import { SupersededError, type MigrationRun } from './migration-run.js';
import { rollBack } from './roll-back.js';

const NAME = 'orders';
const ID = 'a1b2c3d4';
const record = { stream: NAME, id: ID, hold: holdSubject(NAME, ID), subjects: ['orders.>'] } as MigrationRecord;

function stream(config: Partial<ServerStreamInfo['config']>): ServerStreamInfo {
  return { config: { name: NAME, subjects: ['orders.>'], ...config }, state: { messages: 10 } } as unknown as ServerStreamInfo;
}

/** A run over streams in memory: `calls` records every write and every check of ownership. */
function fakeRun(streams: Map<string, ServerStreamInfo>): { run: MigrationRun; calls: string[] } {
  const calls: string[] = [];
  const run = {
    name: NAME,
    copyName: migrationStreamName(NAME),
    caller: { operation: 'test' },
    log: () => undefined,
    info: async (name: string) => streams.get(name) ?? null,
    ownRecord: async () => void calls.push('own'),
    clearRecord: async () => void calls.push('clear'),
    api: {
      updateStream: async (config: ServerStreamInfo['config']) => {
        calls.push(`UPDATE ${config.name} ${(config.subjects ?? []).join(',')}`);
        streams.set(config.name, stream(config));
      },
      deleteStream: async (name: string) => {
        calls.push(`DELETE ${name}`);
        streams.delete(name);
      },
    },
  } as unknown as MigrationRun;
  return { run, calls };
}

describe('rollBack', () => {
  it('gives a held original its subjects back, then deletes the copy, each write after a check of ownership', async () => {
    const streams = new Map([
      [NAME, stream({ subjects: [record.hold] })],
      [`${NAME}__migrating`, stream({ name: `${NAME}__migrating`, subjects: [] })],
    ]);
    const { run, calls } = fakeRun(streams);

    await rollBack(run, record);

    expect(calls).toEqual(['own', `UPDATE ${NAME} orders.>`, 'own', `DELETE ${NAME}__migrating`, 'clear']);
  });

  it('never touches anything when the original is gone: only the copy holds the messages', async () => {
    const copy = stream({ name: `${NAME}__migrating`, subjects: [] });
    const { run, calls } = fakeRun(new Map([[`${NAME}__migrating`, copy]]));

    await expect(rollBack(run, record)).rejects.toBeInstanceOf(SupersededError);
    expect(calls).toEqual([]);
  });

  it('never touches anything when the stream is already the new one (it sources the copy)', async () => {
    const streams = new Map([
      [NAME, stream({ subjects: [record.hold], sources: [{ name: `${NAME}__migrating` }] })],
      [`${NAME}__migrating`, stream({ name: `${NAME}__migrating`, subjects: [] })],
    ]);
    const { run, calls } = fakeRun(streams);

    await expect(rollBack(run, record)).rejects.toBeInstanceOf(SupersededError);
    expect(calls).toEqual([]);
  });

  it('only removes the record when a previous run already restored the original and deleted the copy', async () => {
    const { run, calls } = fakeRun(new Map([[NAME, stream({})]]));

    await rollBack(run, record);

    expect(calls).toEqual(['clear']);
  });
});
