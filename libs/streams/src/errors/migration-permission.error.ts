import { StreamMigrationError } from './stream-migration.error.js';

/**
 * A migration could not go on because the connection's user may not do something every migration
 * needs: answer and ping presence subjects (`_migrating.owner.>`), or read and write its records
 * in the library's key-value bucket (see the README's Migrations section). Nothing falls back to
 * a takeover without them.
 */
export class MigrationPermissionError extends StreamMigrationError {
  constructor(
    stream: string,
    holdingStream: string,
    /** What the server refused, as it said it (e.g. `Permissions Violation for Publish to "$KV.nestjs-jetstream-streams.migration.orders"`). */
    readonly refused: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      stream,
      holdingStream,
      `the connection's user lacks a permission every migration needs (${refused}); grant it, then ensure the stream again`,
      options,
    );
  }
}
