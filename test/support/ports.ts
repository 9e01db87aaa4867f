import { connect, createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on: one the OS handed out to a listener that is
 * closed again before this resolves.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Tries a TCP connection to 127.0.0.1:`port` and tells how it failed: the error code (e.g.
 * `ECONNREFUSED`), or `undefined` when it connected (the socket is closed again at once).
 *
 * @example
 * await expect(connectError(nats.port)).resolves.toBe('ECONNREFUSED');
 */
export function connectError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
