import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/** Node's diagnostics channel of every TCP client socket created (`net.connect`). */
const SOCKET_CHANNEL = 'net.client.socket';

/**
 * The TCP sockets that one `connect()` call of the `nats` client opens, so that those it abandons
 * can be destroyed. The client leaves a socket open when a connect attempt times out before the
 * server's INFO arrived (a server that accepts TCP but never answers: frozen, or a black hole
 * behind a load balancer); that socket would keep the process alive after a failed start-up.
 *
 * Sockets are seen through Node's `net.client.socket` diagnostics channel while a call runs, and
 * told apart from every other socket of the process (another connection's, the app's own) by the
 * async context of the call: only sockets created by the call's own continuations are kept.
 */
export class ConnectSockets {
  private readonly context = new AsyncLocalStorage<Set<Socket>>();
  private active = 0;
  private readonly onSocket = (message: unknown): void => {
    const socket = (message as { socket?: Socket }).socket;
    if (socket) this.context.getStore()?.add(socket);
  };

  /**
   * Runs `connect`, then destroys every socket it opened that is still open, except the one of the
   * connection it resolved to (the last one it opened: the client dials one server at a time).
   * `abandon` destroys the sockets of a call still running, which makes it fail at once.
   */
  async run<T>(connect: () => Promise<T>, abandon: AbortSignal): Promise<T> {
    const sockets = new Set<Socket>();
    const destroyAll = () => sockets.forEach((s) => s.destroy());
    if (this.active++ === 0) subscribe(SOCKET_CHANNEL, this.onSocket);
    abandon.addEventListener('abort', destroyAll);
    try {
      const connected = await this.context.run(sockets, connect);
      [...sockets].slice(0, -1).forEach((s) => s.destroy());
      return connected;
    } catch (err) {
      destroyAll();
      throw err;
    } finally {
      abandon.removeEventListener('abort', destroyAll);
      // The sockets set is dropped here: later reconnects of the client (which run in this
      // context too) are no longer collected once nothing listens.
      sockets.clear();
      if (--this.active === 0) {
        unsubscribe(SOCKET_CHANNEL, this.onSocket);
        // Turns the context's tracking off again: it costs every promise of the process a hook.
        this.context.disable();
      }
    }
  }
}
