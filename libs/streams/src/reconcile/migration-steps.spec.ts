import type { Logger } from '@nestjs/common';
import { StreamMigrationError } from '../errors/stream-migration.error.js';
import type { MigrationOutcome } from '../migration/stream-migrator.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { normalizeStreamConfig } from '../declaration/stream-config.js';
import type { StreamDeclaration } from '../declaration/stream-declaration.js';
import type { StreamDiff } from '../declaration/stream-diff.js';
import { MAX_MIGRATIONS, migratedResult, reportMigrating, runMigration } from './migration-steps.js';
import type { Comparison } from './stream-decision.js';

const stream = (messages: number, bytes = messages * 10) =>
  ({ config: { name: 'orders' }, state: { messages, bytes } }) as unknown as ServerStreamInfo;
const CONFLICTING = {
  changes: [{ field: 'storage', current: 'file', desired: 'memory' }],
  conflicts: [{ field: 'storage', current: 'file', desired: 'memory' }],
} as unknown as StreamDiff;

function comparison(current: ServerStreamInfo | null, policy: Partial<StreamDeclaration> = { onConflict: 'migrate' }): Comparison {
  const desired = normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], ...policy } as StreamDeclaration);
  return { desired, current, diff: CONFLICTING, wants: 'migrate' };
}

const outcome = (over: Partial<MigrationOutcome> = {}): MigrationOutcome => ({
  migrated: true,
  started: true,
  info: stream(5),
  kept: ['billing'],
  dropped: [],
  ...over,
});

describe('runMigration', () => {
  it('returns the outcome of a migration that ran to its end', async () => {
    const done = outcome();

    await expect(runMigration({ run: async () => done }, comparison(stream(5)), true, 0)).resolves.toBe(done);
  });

  it('turns a rolled-back migration into a StreamMigrationError that says why and where every message is', async () => {
    const rolledBack = outcome({ migrated: false, rolledBack: 'the target cannot hold 5 messages' });

    const error = await runMigration({ run: async () => rolledBack }, comparison(stream(5)), true, 0).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(StreamMigrationError);
    expect((error as StreamMigrationError).reason).toMatch(/^the target cannot hold 5 messages; it was rolled back/);
    expect((error as StreamMigrationError).holdingStream).toBe('orders');
  });

  it(`refuses a migration beyond the ${MAX_MIGRATIONS} one ensure may go through, without running it`, async () => {
    const runs: boolean[] = [];

    const error = await runMigration(
      { run: async (_d, _c, begin) => (runs.push(begin), outcome()) },
      comparison(stream(5)),
      true,
      MAX_MIGRATIONS,
    ).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(StreamMigrationError);
    expect((error as StreamMigrationError).reason).toContain('still calls for a migration after 2 (storage)');
    expect(runs).toEqual([]);
  });
});

describe('migratedResult', () => {
  it('reports the consumers kept and dropped, and what an allowed loss removed', () => {
    const loss = { messages: 3, bytes: 30, exact: true, fields: [] };

    const result = migratedResult(comparison(stream(5)), outcome({ info: stream(2), kept: ['billing'], dropped: ['tmp'] }), loss);

    expect(result).toMatchObject({ action: 'migrated', keptConsumers: ['billing'], droppedConsumers: ['tmp'], dataLoss: loss });
    expect(result.removed).toEqual({ messages: 3, bytes: 30 });
  });

  it('says nothing of removed messages when no loss was estimated', () => {
    const result = migratedResult(comparison(stream(5)), outcome(), undefined);

    expect(result).not.toHaveProperty('removed');
    expect(result).not.toHaveProperty('dataLoss');
  });
});

describe('reportMigrating', () => {
  const logger = { warn: () => undefined } as unknown as Logger;

  it("names the copy as the holding stream when the stream itself is absent, and reports the record's progress", async () => {
    const read: string[] = [];
    const copy = stream(5);

    const result = await reportMigrating(
      { migrator: { inProgress: async () => ({ phase: 'copying', owner: 'a1' }) }, read: async (name) => (read.push(name), copy), logger },
      comparison(null, { mode: 'verify' }),
      { operation: 'ensureStream' },
    );

    expect(read).toEqual(['orders__migrating']);
    expect(result).toMatchObject({
      action: 'migrating',
      info: copy,
      migration: { phase: 'copying', owner: 'a1', holdingStream: 'orders__migrating' },
    });
  });

  it('reads nothing more when the stream exists, and still reports when the record cannot be read', async () => {
    const read: string[] = [];
    const current = stream(5);

    const result = await reportMigrating(
      {
        migrator: {
          inProgress: async () => {
            throw new Error('bucket unavailable');
          },
        },
        read: async (name) => (read.push(name), null),
        logger,
      },
      comparison(current, { mode: 'create' }),
      { operation: 'ensureStream' },
    );

    expect(read).toEqual([]);
    expect(result).toMatchObject({ action: 'migrating', info: current, migration: { holdingStream: 'orders' } });
  });
});
