import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** @internal Creates the temporary directory one server owns: config, ports file and store. */
export function createServerDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'nats-test-'));
}

/** @internal The JetStream store inside a server's directory; it survives restarts. */
export function storeDirOf(dir: string): string {
  return join(dir, 'store');
}

/** @internal Removes a server's directory and everything in it. */
export function removeServerDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}
